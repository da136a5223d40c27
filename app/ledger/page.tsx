import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { BudgetMeter } from "@/components/ui/budget-meter";
import { type SpendColumn, SpendTable } from "@/components/ledger/spend-table";
import { dayLabel, daysBetween, LedgerChart, type Metric } from "@/components/ledger/ledger-chart";
import { LedgerPeople } from "@/components/ledger/ledger-people";
import { actorOrNull, OPEN_ACTOR } from "@/lib/actor";
import { CATALOG, findModel, PROVIDER_IDS, type ProviderId } from "@/lib/catalog";
import { formatUsd, PRICE_NOT_PUBLISHED } from "@/lib/client/format";
import type { LedgerDto } from "@/lib/dto";
import { getLedger } from "@/lib/ledger";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Cost ledger" };

type Params = Record<string, string | string[] | undefined>;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
const MAX_DAYS = 366;
const TABLE_COLUMNS: SpendColumn[] = [{ label: "Provider" }, { label: "Model" }, { label: "Jobs", numeric: true }, { label: "Images", numeric: true }, { label: "Cost", numeric: true }];

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const providerLabel = (id: string) => (id === "demo" ? "Demo" : (CATALOG[id as ProviderId]?.label ?? id));
const modelLabel = (provider: string, model: string) =>
  (PROVIDER_IDS as string[]).includes(provider) ? (findModel(provider as ProviderId, model)?.label ?? model) : model;
/** True when the provider publishes no price for this model: its jobs have no recorded cost. */
const unpriced = (provider: string, model: string) =>
  (PROVIDER_IDS as string[]).includes(provider) && findModel(provider as ProviderId, model)?.priceUsd === null;

/** The range from the URL, made sane: valid days, from ≤ to, at most a year. */
function range(params: Params): { from?: string; to?: string; problem: string | null } {
  const read = (name: string) => {
    const v = params[name];
    return typeof v === "string" && DAY.test(v) && !Number.isNaN(Date.parse(v)) ? v : undefined;
  };
  let from = read("from");
  let to = read("to");
  let problem: string | null = null;
  if ((params.from && !from) || (params.to && !to)) problem = "Dates are written YYYY-MM-DD; showing the default range instead.";
  if (from && to && from > to) [from, to] = [to, from];
  if (from && to && (Date.parse(to) - Date.parse(from)) / DAY_MS >= MAX_DAYS) {
    from = iso(Date.parse(to) - (MAX_DAYS - 1) * DAY_MS);
    problem = "The ledger shows at most a year at a time.";
  }
  return { from, to, problem };
}

function presets(today: string): { label: string; from: string; to: string }[] {
  const t = Date.parse(today);
  return [
    { label: "7 days", from: iso(t - 6 * DAY_MS), to: today },
    { label: "30 days", from: iso(t - 29 * DAY_MS), to: today },
    { label: "90 days", from: iso(t - 89 * DAY_MS), to: today },
    { label: "This month", from: `${today.slice(0, 8)}01`, to: today },
  ];
}

export default async function LedgerPage({ searchParams }: { searchParams: Promise<Params> }) {
  const params = await searchParams;
  const metric: Metric = params.metric === "images" ? "images" : "cost";
  const { from, to, problem } = range(params);
  const actor = actorOrNull(await headers()) ?? OPEN_ACTOR;
  const ledger: LedgerDto = await getLedger({ ...(from && { from }), ...(to && { to }) }, actor);
  // Team mode: everyone signed in has an account; before that, all spend is one studio's.
  const team = actor.accountId !== null;
  const today = iso(Date.now());

  // Per provider and model over the whole range.
  const groups = new Map<string, { provider: string; model: string; jobs: number; images: number; costUsd: number }>();
  for (const row of ledger.rows) {
    const key = `${row.provider}\u0000${row.model}`;
    const g = groups.get(key) ?? { provider: row.provider, model: row.model, jobs: 0, images: 0, costUsd: 0 };
    g.jobs += row.jobs;
    g.images += row.images;
    g.costUsd += row.costUsd;
    groups.set(key, g);
  }
  const table = [...groups.values()].sort((a, b) => b.costUsd - a.costUsd || b.jobs - a.jobs);
  const totals = table.reduce((t, g) => ({ jobs: t.jobs + g.jobs, images: t.images + g.images }), { jobs: 0, images: 0 });
  const seenProviders = [...new Set(ledger.rows.map((r) => r.provider))];
  const legend = [...PROVIDER_IDS.filter((id) => seenProviders.includes(id)), ...seenProviders.filter((id) => !(PROVIDER_IDS as string[]).includes(id))].map(
    (id) => ({ id, label: providerLabel(id) }),
  );
  const unpricedProviders = [...new Set(table.filter((g) => unpriced(g.provider, g.model)).map((g) => providerLabel(g.provider)))];
  const days = daysBetween(ledger.from, ledger.to).length;
  const { monthlyUsd, spentThisMonthUsd, scope, pendingUsd } = ledger.budget;
  const personal = scope === "person";
  const over = monthlyUsd !== null && spentThisMonthUsd >= monthlyUsd;
  const href = (p: Record<string, string>) => `/ledger?${new URLSearchParams({ from: ledger.from, to: ledger.to, ...(metric === "images" ? { metric } : {}), ...p })}`;

  const card = "rounded-2xl border border-zinc-800/80 bg-zinc-900/40";

  return (
    <div className="space-y-6 pt-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-zinc-50">Cost ledger</h1>
          <p className="mt-1 text-sm text-zinc-500">
            What finished jobs cost, per UTC day, provider and model · {dayLabel(ledger.from)} – {dayLabel(ledger.to)} {ledger.to.slice(0, 4)} ({days}{" "}
            {days === 1 ? "day" : "days"})
          </p>
        </div>
        <form method="get" action="/ledger" className="flex flex-wrap items-end gap-2" aria-label="Date range">
          <div>
            <label htmlFor="ledger-from" className="mb-1 block text-xs text-zinc-500">
              From
            </label>
            <input id="ledger-from" name="from" type="date" defaultValue={ledger.from} max={today} className="field h-9 w-[9.5rem] py-0 tabular-nums" />
          </div>
          <div>
            <label htmlFor="ledger-to" className="mb-1 block text-xs text-zinc-500">
              To
            </label>
            <input id="ledger-to" name="to" type="date" defaultValue={ledger.to} className="field h-9 w-[9.5rem] py-0 tabular-nums" />
          </div>
          {metric === "images" ? <input type="hidden" name="metric" value="images" /> : null}
          <button type="submit" className="h-9 rounded-lg bg-zinc-800 px-3.5 text-sm font-medium text-zinc-100 hover:bg-zinc-700">
            Apply
          </button>
        </form>
      </div>

      <nav aria-label="Quick ranges" className="-mt-2 flex flex-wrap gap-1.5">
        {presets(today).map((p) => {
          const current = p.from === ledger.from && p.to === ledger.to;
          return (
            <Link
              key={p.label}
              href={href({ from: p.from, to: p.to })}
              aria-current={current ? "true" : undefined}
              className={`rounded-full px-3 py-1 text-xs font-medium ring-1 ring-inset ${
                current ? "bg-accent-400/10 text-accent-300 ring-accent-400/40" : "text-zinc-400 ring-zinc-800 hover:text-zinc-100 hover:ring-zinc-600"
              }`}
            >
              {p.label}
            </Link>
          );
        })}
      </nav>

      {problem ? (
        <p role="alert" className="rounded-lg border border-red-900/50 bg-red-950/20 px-3 py-2 text-sm text-red-200">
          {problem}
        </p>
      ) : null}

      <dl className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
        <div className={`${card} p-4`}>
          <dt className="text-xs font-medium text-zinc-500">Spend in range</dt>
          <dd className="mt-1 text-2xl font-semibold tabular-nums text-zinc-50" data-testid="ledger-total">
            {formatUsd(ledger.totalUsd)}
          </dd>
          {ledger.unpricedJobs > 0 ? (
            <dd className="mt-0.5 text-xs text-zinc-500">
              + {ledger.unpricedJobs} {ledger.unpricedJobs === 1 ? "job" : "jobs"}, {PRICE_NOT_PUBLISHED.toLowerCase()}
            </dd>
          ) : null}
        </div>
        <div className={`${card} p-4`}>
          <dt className="text-xs font-medium text-zinc-500">Finished jobs</dt>
          <dd className="mt-1 text-2xl font-semibold tabular-nums text-zinc-50" data-testid="ledger-jobs">
            {totals.jobs}
          </dd>
        </div>
        <div className={`${card} p-4`}>
          <dt className="text-xs font-medium text-zinc-500">Images made</dt>
          <dd className="mt-1 text-2xl font-semibold tabular-nums text-zinc-50" data-testid="ledger-images">
            {totals.images}
          </dd>
        </div>
        <div className={`${card} p-4`} data-testid="ledger-budget">
          <dt className="text-xs font-medium text-zinc-500">{personal ? "Your limit this month" : "Budget this month"}</dt>
          {monthlyUsd === null && personal ? (
            <dd className="mt-1 text-sm leading-relaxed text-zinc-400">
              No monthly limit for you: an admin can set one on the Team page, or{" "}
              <code className="rounded bg-zinc-800 px-1 py-px font-mono text-xs text-zinc-200">ATELIER_BUDGET_USD_PER_USER</code> for everyone. You
              spent {formatUsd(spentThisMonthUsd)} so far.
            </dd>
          ) : monthlyUsd === null ? (
            <dd className="mt-1 text-sm leading-relaxed text-zinc-400">
              No budget set. Set <code className="rounded bg-zinc-800 px-1 py-px font-mono text-xs text-zinc-200">ATELIER_BUDGET_USD</code> to be
              warned before a job would pass it. Spent {formatUsd(spentThisMonthUsd)} so far.
            </dd>
          ) : (
            <>
              <dd className={`mt-1 text-2xl font-semibold tabular-nums ${over ? "text-red-300" : "text-zinc-50"}`}>
                {formatUsd(spentThisMonthUsd)} <span className="text-sm font-normal text-zinc-500">of {formatUsd(monthlyUsd)}</span>
              </dd>
              <dd className="mt-2">
                <BudgetMeter spent={spentThisMonthUsd} limit={monthlyUsd} over={over} className="h-1.5" />
                <p className="mt-1 text-xs text-zinc-500">
                  {personal
                    ? over
                      ? "Limit reached: paid jobs are refused until next month, or until an admin raises your limit."
                      : `${formatUsd(Math.max(0, monthlyUsd - spentThisMonthUsd - pendingUsd))} left${pendingUsd > 0 ? `, after ${formatUsd(pendingUsd)} of unfinished jobs` : ""}`
                    : over
                      ? "Over budget: the studio asks before each paid job."
                      : `${formatUsd(monthlyUsd - spentThisMonthUsd)} left`}
                </p>
              </dd>
            </>
          )}
        </div>
      </dl>

      <section className={`${card} p-4 sm:p-5`} aria-labelledby="chart-heading">
        <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
          <h2 id="chart-heading" className="text-sm font-semibold text-zinc-200">
            {metric === "cost" ? "Spend per day" : "Images per day"}
          </h2>
          <div className="flex flex-wrap items-center gap-4">
            <ul className="flex flex-wrap gap-3 text-xs text-zinc-400" aria-label="Providers">
              {legend.map((p) => (
                <li key={p.id} className="flex items-center gap-1.5">
                  <span aria-hidden="true" className="size-2.5 rounded-sm" style={{ background: `var(--color-provider-${p.id}, var(--color-zinc-500))` }} />
                  {p.label}
                </li>
              ))}
            </ul>
            <div className="flex rounded-lg border border-zinc-800 bg-zinc-900 p-0.5 text-xs" role="group" aria-label="Measure">
              {(["cost", "images"] as const).map((m) => (
                <Link
                  key={m}
                  href={href({ metric: m })}
                  aria-current={metric === m ? "true" : undefined}
                  className={`rounded-md px-2.5 py-1 font-medium ${metric === m ? "bg-zinc-700 text-zinc-50" : "text-zinc-400 hover:text-zinc-100"}`}
                >
                  {m === "cost" ? "Cost" : "Images"}
                </Link>
              ))}
            </div>
          </div>
        </div>
        <LedgerChart rows={ledger.rows} from={ledger.from} to={ledger.to} metric={metric} providers={legend} />
      </section>

      <section className={card} aria-labelledby="table-heading">
        <h2 id="table-heading" className="px-4 pt-4 text-sm font-semibold text-zinc-200 sm:px-5">
          By provider and model
        </h2>
        <SpendTable
          columns={TABLE_COLUMNS}
          testId="ledger-table"
          empty={table.length === 0}
          foot={
            <tfoot>
              <tr className="font-semibold text-zinc-50">
                <th scope="row" colSpan={2} className="px-4 py-3 text-left sm:px-5">
                  Total
                </th>
                <td className="px-3 py-3 text-right tabular-nums" data-col="jobs">
                  {totals.jobs}
                </td>
                <td className="px-3 py-3 text-right tabular-nums" data-col="images">
                  {totals.images}
                </td>
                <td className="px-4 py-3 text-right tabular-nums sm:px-5" data-col="cost">
                  {formatUsd(ledger.totalUsd)}
                </td>
              </tr>
            </tfoot>
          }
        >
          {table.map((g) => (
            <tr key={`${g.provider}/${g.model}`} className="border-b border-zinc-800/60" data-provider={g.provider} data-model={g.model}>
              <td className="px-4 py-2.5 sm:px-5">
                <span className="flex items-center gap-2 text-zinc-200">
                  <span aria-hidden="true" className="size-2 rounded-full" style={{ background: `var(--color-provider-${g.provider}, var(--color-zinc-500))` }} />
                  {providerLabel(g.provider)}
                </span>
              </td>
              <td className="px-3 py-2.5 text-zinc-400">{modelLabel(g.provider, g.model)}</td>
              <td className="px-3 py-2.5 text-right tabular-nums text-zinc-300" data-col="jobs">
                {g.jobs}
              </td>
              <td className="px-3 py-2.5 text-right tabular-nums text-zinc-300" data-col="images">
                {g.images}
              </td>
              <td className="px-4 py-2.5 text-right tabular-nums text-zinc-100 sm:px-5" data-col="cost">
                {unpriced(g.provider, g.model) ? <span className="text-zinc-500">{PRICE_NOT_PUBLISHED}</span> : formatUsd(g.costUsd)}
              </td>
            </tr>
          ))}
        </SpendTable>
        {ledger.unpricedJobs > 0 ? (
          <p className="border-t border-zinc-800 px-4 py-3 text-xs leading-relaxed text-zinc-500 sm:px-5" data-testid="unpriced-note">
            {ledger.unpricedJobs} {ledger.unpricedJobs === 1 ? "job" : "jobs"} ran on{" "}
            {unpricedProviders.length > 0 ? unpricedProviders.join(" and ") : "providers"} ({PRICE_NOT_PUBLISHED.toLowerCase()}):{" "}
            {ledger.unpricedJobs === 1 ? "it is" : "they are"} counted in jobs and images, but not in the cost totals. Check the provider&apos;s own billing for{" "}
            {ledger.unpricedJobs === 1 ? "it" : "them"}.
          </p>
        ) : (
          <p className="border-t border-zinc-800 px-4 py-3 text-xs text-zinc-500 sm:px-5">
            Costs are the provider&apos;s published price per image at the time of the job. The demo engine is free.
          </p>
        )}
      </section>

      {team ? (
        <section className={card} aria-labelledby="people-heading">
          <h2 id="people-heading" className="px-4 pt-4 text-sm font-semibold text-zinc-200 sm:px-5">
            By person
          </h2>
          <LedgerPeople people={ledger.people} totalUsd={ledger.totalUsd} currentAccountId={actor.accountId} />
        </section>
      ) : null}
    </div>
  );
}
