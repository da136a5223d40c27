"use client";

import { useId, type ReactNode } from "react";
import type { Mode, ProviderId } from "@/lib/catalog";
import type { Creator, ProviderDto } from "@/lib/dto";
import type { JobStatus } from "@/lib/schemas";
import { JOB_STATUS_LIST } from "@/lib/client/constants";
import { activeFilterCount, type GalleryFilter, modelFilterValue, type Sort, splitModelFilter } from "@/lib/client/gallery-filter";
import { STATUS_LABEL } from "@/lib/client/jobs";
import { CalendarIcon, ChevronDownIcon, StarIcon } from "../ui/icons";
import { useMe } from "../ui/me";

function Select({
  label,
  value,
  onChange,
  children,
  active,
  className = "",
  title,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  children: ReactNode;
  active: boolean;
  className?: string;
  /** The chosen entry in full, for when the closed control cuts it short. */
  title?: string;
}) {
  const id = useId();
  return (
    <div className={`relative ${className}`}>
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        title={title}
        className={`field h-8 w-full appearance-none truncate rounded-lg py-0 pl-2.5 pr-7 text-[13px] ${
          active ? "border-accent-400/50 bg-accent-400/5 text-zinc-50" : "text-zinc-300"
        }`}
      >
        {children}
      </select>
      <ChevronDownIcon className="pointer-events-none absolute right-2 top-1/2 size-3.5 -translate-y-1/2 text-zinc-500" />
    </div>
  );
}

/** From–to as one control: two date inputs (UTC days, inclusive) in a shared frame. */
function DateRange({ from, to, onChange }: { from?: string; to?: string; onChange: (patch: { from?: string; to?: string }) => void }) {
  const fromId = useId();
  const toId = useId();
  const active = Boolean(from || to);
  const input =
    "h-full w-[7.9rem] rounded-md bg-transparent px-1.5 text-[13px] tabular-nums outline-none focus-visible:bg-zinc-800/70 [&::-webkit-datetime-edit]:py-0";
  return (
    <div
      className={`flex h-8 items-center gap-0.5 rounded-lg border pl-2 pr-1 transition-colors focus-within:border-accent-400 ${
        active ? "border-accent-400/50 bg-accent-400/5 text-zinc-50" : "border-zinc-800 bg-zinc-900 text-zinc-300 hover:border-zinc-700"
      }`}
      role="group"
      aria-label="Date range"
    >
      <CalendarIcon className="mr-0.5 size-3.5 shrink-0 text-zinc-500" />
      <label htmlFor={fromId} className="sr-only">
        From
      </label>
      <input id={fromId} type="date" value={from ?? ""} max={to} onChange={(e) => onChange({ from: e.target.value || undefined })} className={input} />
      <span aria-hidden="true" className="text-zinc-600">
        –
      </span>
      <label htmlFor={toId} className="sr-only">
        To
      </label>
      <input id={toId} type="date" value={to ?? ""} min={from} onChange={(e) => onChange({ to: e.target.value || undefined })} className={input} />
    </div>
  );
}

const providerName = (p: ProviderDto) => (p.id === "demo" ? "Demo" : p.label);

/** An older link's bare model id matches that model at every provider that sells it. */
function legacyModelLabel(value: string, providers: ProviderDto[]): string {
  const { provider, model } = splitModelFilter(value);
  if (provider) return value;
  // Providers may name the same model differently; then only the id itself is fair to all.
  const labels = new Set(providers.flatMap((p) => p.models).filter((m) => m.id === model).map((m) => m.label));
  return `${labels.size === 1 ? [...labels][0] : model} · any provider`;
}

/** Whether the model filter still makes sense once the provider filter is `next`. */
function keepsModel(value: string | undefined, next: ProviderId | undefined, providers: ProviderDto[]): boolean {
  if (!value || !next) return true;
  const { provider, model } = splitModelFilter(value);
  if (provider) return provider === next;
  return Boolean(providers.find((p) => p.id === next)?.models.some((m) => m.id === model));
}

/** Everyone (the default), Mine, then each person by email; those who left the team marked. */
function PersonSelect({ value, people, onChange }: { value?: string; people: Creator[]; onChange: (by: string | undefined) => void }) {
  const me = useMe();
  const mine = me?.accountId;
  const others = people.filter((p) => p.id !== mine);
  // A link to someone not (or no longer) in the list still shows what it filters by.
  const unknown = value && value !== "me" && value !== mine && !others.some((p) => p.id === value);
  const label = (p: Creator) => (p.removed ? `${p.email} (removed)` : p.email);
  return (
    <Select
      label="Person filter"
      value={value === mine ? "me" : (value ?? "")}
      active={Boolean(value)}
      onChange={(v) => onChange(v || undefined)}
      className="w-44"
      title={value && value !== "me" ? (others.find((p) => p.id === value)?.email ?? value) : undefined}
    >
      <option value="">Everyone</option>
      <option value="me">Mine</option>
      {others.map((p) => (
        <option key={p.id} value={p.id}>
          {label(p)}
        </option>
      ))}
      {unknown ? <option value={value}>Someone else</option> : null}
    </Select>
  );
}

/** Person (team mode), provider, model, status, mode, date range, favourites and sort, for the history. */
export function GalleryFilters({
  filter,
  onChange,
  providers,
  people = null,
}: {
  filter: GalleryFilter;
  onChange: (patch: Partial<GalleryFilter>) => void;
  providers: ProviderDto[];
  /** The team (team mode only): a person filter. */
  people?: Creator[] | null;
}) {
  const provider = providers.find((p) => p.id === filter.provider);
  // Model ids and labels repeat across providers (the same FLUX model sold by several), so
  // each entry is one provider's model, named with its provider.
  const models = new Map<string, string>();
  for (const p of provider ? [provider] : providers) {
    for (const m of p.models) models.set(modelFilterValue(p.id, m.id), `${m.label} · ${providerName(p)}`);
  }
  if (filter.model && !models.has(filter.model)) models.set(filter.model, legacyModelLabel(filter.model, providers));
  const active = activeFilterCount(filter);

  return (
    <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Filters">
      {people ? <PersonSelect value={filter.by} people={people} onChange={(by) => onChange({ by })} /> : null}
      <Select
        label="Provider filter"
        value={filter.provider ?? ""}
        active={Boolean(filter.provider)}
        onChange={(v) => {
          const next = (v || undefined) as ProviderId | undefined;
          onChange({ provider: next, ...(keepsModel(filter.model, next, providers) ? {} : { model: undefined }) });
        }}
        className="w-36"
      >
        <option value="">All providers</option>
        {providers.map((p) => (
          <option key={p.id} value={p.id}>
            {providerName(p)}
          </option>
        ))}
      </Select>
      <Select
        label="Model filter"
        value={filter.model ?? ""}
        active={Boolean(filter.model)}
        onChange={(v) => onChange({ model: v || undefined })}
        className="w-72 max-w-full"
        title={filter.model ? models.get(filter.model) : undefined}
      >
        <option value="">All models</option>
        {[...models].map(([id, label]) => (
          <option key={id} value={id}>
            {label}
          </option>
        ))}
      </Select>
      <Select
        label="Status filter"
        value={filter.status ?? ""}
        active={Boolean(filter.status)}
        onChange={(v) => onChange({ status: (v || undefined) as JobStatus | undefined })}
        className="w-32"
      >
        <option value="">All statuses</option>
        {JOB_STATUS_LIST.map((s) => (
          <option key={s} value={s}>
            {STATUS_LABEL[s]}
          </option>
        ))}
      </Select>
      <Select
        label="Mode filter"
        value={filter.mode ?? ""}
        active={Boolean(filter.mode)}
        onChange={(v) => onChange({ mode: (v || undefined) as Mode | undefined })}
        className="w-32"
      >
        <option value="">Any mode</option>
        <option value="generate">Text to image</option>
        <option value="edit">Edits</option>
      </Select>
      <DateRange from={filter.from} to={filter.to} onChange={onChange} />
      <button
        type="button"
        aria-pressed={Boolean(filter.favorite)}
        onClick={() => onChange({ favorite: filter.favorite ? undefined : true })}
        className={`inline-flex h-8 items-center gap-1.5 rounded-lg border px-2.5 text-[13px] transition-colors ${
          filter.favorite
            ? "border-accent-400/50 bg-accent-400/10 text-accent-300"
            : "border-zinc-800 bg-zinc-900 text-zinc-300 hover:border-zinc-700 hover:text-zinc-100"
        }`}
      >
        <StarIcon filled={Boolean(filter.favorite)} className="size-3.5" />
        Favourites
      </button>
      <Select
        label="Sort order"
        value={filter.sort ?? "newest"}
        active={filter.sort === "oldest"}
        onChange={(v) => onChange({ sort: v === "oldest" ? "oldest" : undefined } as { sort?: Sort })}
        className="w-32"
      >
        <option value="newest">Newest first</option>
        <option value="oldest">Oldest first</option>
      </Select>
      {active > 0 || filter.sort === "oldest" ? (
        <button
          type="button"
          onClick={() =>
            onChange({
              provider: undefined,
              model: undefined,
              status: undefined,
              mode: undefined,
              from: undefined,
              to: undefined,
              favorite: undefined,
              sort: undefined,
              by: undefined,
            })
          }
          className="h-8 rounded-lg px-2 text-[13px] text-zinc-400 underline-offset-2 hover:text-zinc-100 hover:underline"
        >
          Reset filters
        </button>
      ) : null}
    </div>
  );
}
