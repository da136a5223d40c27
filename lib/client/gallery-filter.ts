import type { Mode, ProviderId } from "@/lib/catalog";
import type { JobStatus } from "@/lib/schemas";
import { JOB_STATUS_LIST, PROVIDER_ID_LIST } from "./constants";

/**
 * The gallery's filters, as the studio URL spells them (`/?provider=demo&fav=1&q=cat`)
 * and as GET /api/jobs takes them. Parsing is forgiving: a value that isn't valid is
 * dropped rather than failing the page, so a hand-edited URL still opens.
 * Pure and zod-free: the server page and the browser both use it.
 */
export type Sort = "newest" | "oldest";
export type GalleryFilter = {
  q?: string;
  status?: JobStatus;
  provider?: ProviderId;
  /** `provider:model` (see modelFilterValue), or a bare model id, which matches it at any provider. */
  model?: string;
  mode?: Mode;
  /** Inclusive UTC days, YYYY-MM-DD. */
  from?: string;
  to?: string;
  favorite?: boolean;
  sort?: Sort;
  /** Whose jobs (team mode): `me`, or an account id. */
  by?: string;
};

/**
 * Model ids repeat across providers (the same FLUX model sold by two), so the filter names
 * both: `quickrouter:black-forest-labs/flux-kontext-pro`. Model ids never hold a colon.
 */
export const modelFilterValue = (provider: string, model: string) => `${provider}:${model}`;

/** The provider and model a `model` filter names; a bare id (the older form) names no provider. */
export function splitModelFilter(value: string): { provider?: ProviderId; model: string } {
  const colon = value.indexOf(":");
  const provider = value.slice(0, colon);
  if (colon > 0 && (PROVIDER_ID_LIST as readonly string[]).includes(provider)) {
    return { provider: provider as ProviderId, model: value.slice(colon + 1) };
  }
  return { model: value };
}

const PERSON = /^(me|[0-9A-HJKMNP-TV-Z]{26})$/;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const isDay = (s: string) => DAY.test(s) && !Number.isNaN(Date.parse(s));

type ParamSource = URLSearchParams | Record<string, string | string[] | undefined>;

function reader(source: ParamSource): (key: string) => string | undefined {
  if (source instanceof URLSearchParams) return (key) => source.get(key) ?? undefined;
  return (key) => {
    const value = source[key];
    return typeof value === "string" ? value : undefined;
  };
}

export function filterFromParams(source: ParamSource): GalleryFilter {
  const get = reader(source);
  const filter: GalleryFilter = {};
  const q = get("q")?.trim().slice(0, 200);
  if (q) filter.q = q;
  const status = get("status");
  if (status && (JOB_STATUS_LIST as readonly string[]).includes(status)) filter.status = status as JobStatus;
  const provider = get("provider");
  if (provider && (PROVIDER_ID_LIST as readonly string[]).includes(provider)) filter.provider = provider as ProviderId;
  const model = get("model");
  if (model && model.length <= 200) filter.model = model;
  const mode = get("mode");
  if (mode === "generate" || mode === "edit") filter.mode = mode;
  const from = get("from");
  if (from && isDay(from)) filter.from = from;
  const to = get("to");
  if (to && isDay(to)) filter.to = to;
  const fav = get("fav");
  if (fav === "1") filter.favorite = true;
  if (get("sort") === "oldest") filter.sort = "oldest";
  const by = get("by");
  if (by && PERSON.test(by)) filter.by = by;
  return filter;
}

/** The URL form: only what differs from the defaults, in a fixed order. */
export function filterToParams(filter: GalleryFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.q) params.set("q", filter.q);
  if (filter.provider) params.set("provider", filter.provider);
  if (filter.model) params.set("model", filter.model);
  if (filter.status) params.set("status", filter.status);
  if (filter.mode) params.set("mode", filter.mode);
  if (filter.from) params.set("from", filter.from);
  if (filter.to) params.set("to", filter.to);
  if (filter.favorite) params.set("fav", "1");
  if (filter.sort === "oldest") params.set("sort", "oldest");
  if (filter.by) params.set("by", filter.by);
  return params;
}

/** The query string GET /api/jobs takes for this filter. */
export function filterToApiParams(filter: GalleryFilter): URLSearchParams {
  const params = filterToParams(filter);
  params.delete("fav");
  if (filter.favorite) params.set("favorite", "1");
  return params;
}

export const FILTER_KEYS = ["q", "provider", "model", "status", "mode", "from", "to", "fav", "sort", "by"] as const;

/** True when nothing narrows or reorders the list (the server's first page is then valid). */
export function isDefaultFilter(filter: GalleryFilter): boolean {
  return filterToParams(filter).size === 0;
}

/** How many narrowing filters are on (search and sort not counted). */
export function activeFilterCount(filter: GalleryFilter): number {
  return [filter.provider, filter.model, filter.status, filter.mode, filter.from || filter.to, filter.favorite, filter.by].filter(Boolean)
    .length;
}

/** A stable key for the query cache. */
export function filterKey(filter: GalleryFilter): string {
  return filterToParams(filter).toString();
}
