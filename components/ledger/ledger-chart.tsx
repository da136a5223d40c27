import type { LedgerRow } from "@/lib/dto";
import { formatUsd } from "@/lib/client/format";

/**
 * Spend (or images) per day, stacked by provider: a plain SVG drawn on the server, so the
 * ledger ships no chart code at all. Each bar segment has a <title> for a hover tooltip.
 */
export type Metric = "cost" | "images";

const W = 960;
const H = 260;
const M = { top: 12, right: 8, bottom: 26, left: 52 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(to);
  for (let t = Date.parse(from); t <= end && days.length < 400; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** 1, 2, 2.5, 5 × 10^k steps, about four of them. */
function niceStep(max: number): number {
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const unit = rough / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10) * power;
}

export const dayLabel = (day: string) => `${Number(day.slice(8, 10))} ${MONTHS[Number(day.slice(5, 7)) - 1]}`;

export function LedgerChart({
  rows,
  from,
  to,
  metric,
  providers,
}: {
  rows: LedgerRow[];
  from: string;
  to: string;
  metric: Metric;
  /** Provider ids in legend order, with labels. */
  providers: { id: string; label: string }[];
}) {
  const days = daysBetween(from, to);
  const value = (r: LedgerRow) => (metric === "cost" ? r.costUsd : r.images);
  const byDay = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const day = byDay.get(row.day) ?? new Map<string, number>();
    day.set(row.provider, (day.get(row.provider) ?? 0) + value(row));
    byDay.set(row.day, day);
  }
  const totals = days.map((d) => [...(byDay.get(d)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const peak = Math.max(0, ...totals);
  const step = peak > 0 ? niceStep(peak) : metric === "cost" ? 0.05 : 1;
  const top = peak > 0 ? Math.ceil(peak / step) * step : step * 4;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  const slot = PLOT_W / Math.max(1, days.length);
  const bar = Math.max(1, Math.min(28, slot * 0.68));
  const labelEvery = Math.max(1, Math.ceil(days.length / 10));
  const y = (v: number) => M.top + PLOT_H - (v / top) * PLOT_H;
  const format = (v: number) => (metric === "cost" ? formatUsd(v, { whole: true }) : String(Math.round(v * 10) / 10));
  const order = providers.map((p) => p.id);
  const labelOf = new Map(providers.map((p) => [p.id, p.label]));

  return (
    <figure className="relative">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width={W}
        height={H}
        className="h-auto w-full"
        role="img"
        aria-label={`${metric === "cost" ? "Spend" : "Images"} per day from ${from} to ${to}, stacked by provider; the highest day is ${format(peak)}.`}
        data-testid="ledger-chart"
      >
        {ticks.map((t) => (
          <g key={t}>
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} className="stroke-zinc-800" strokeWidth={1} strokeDasharray={t === 0 ? undefined : "3 4"} />
            <text x={M.left - 8} y={y(t)} dy="0.32em" textAnchor="end" className="fill-zinc-500 text-[11px] tabular-nums">
              {format(t)}
            </text>
          </g>
        ))}
        {days.map((day, i) => {
          const x = M.left + i * slot + (slot - bar) / 2;
          const parts = byDay.get(day);
          let base = 0;
          return (
            <g key={day}>
              {parts
                ? [...parts.entries()]
                    .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))
                    .filter(([, v]) => v > 0)
                    .map(([provider, v]) => {
                      const y0 = y(base);
                      base += v;
                      const y1 = y(base);
                      return (
                        <rect
                          key={provider}
                          x={x}
                          y={y1}
                          width={bar}
                          height={Math.max(1, y0 - y1)}
                          rx={Math.min(2, bar / 4)}
                          style={{ fill: `var(--color-provider-${provider}, var(--color-zinc-500))` }}
                          data-day={day}
                          data-provider={provider}
                        >
                          <title>{`${dayLabel(day)} · ${labelOf.get(provider) ?? provider}: ${format(v)}`}</title>
                        </rect>
                      );
                    })
                : null}
              {i % labelEvery === 0 ? (
                <text x={M.left + i * slot + slot / 2} y={H - 8} textAnchor="middle" className="fill-zinc-500 text-[11px]">
                  {dayLabel(day)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      {peak === 0 ? (
        <figcaption className="pointer-events-none absolute inset-0 flex items-center justify-center pb-6 text-sm text-zinc-500">
          {metric === "cost" ? "No spend recorded in this range." : "No images in this range."}
        </figcaption>
      ) : null}
    </figure>
  );
}
