import type { AspectRatioChoice, ProviderId } from "@/lib/catalog";

/**
 * What the studio remembers: the form draft and the jobs submitted in this tab. Across
 * client-side navigations (studio → job page → back) both live in memory; the draft is also
 * kept in localStorage so a reload or a new visit starts from the recipe being worked on.
 * The history itself always comes from the server.
 */
export type Draft = {
  prompt: string;
  provider: ProviderId;
  model: string;
  aspectRatio: AspectRatioChoice;
  ratioTouched: boolean;
  seed: string;
  n: number;
  input: { id: string; width: number; height: number; previewUrl: string; name?: string; bytes?: number } | null;
};

/** The saved draft: the input is kept by its uploaded image id (a local preview URL dies with the page). */
export type StoredDraft = Omit<Draft, "input"> & { inputId: string | null };

const STORAGE_KEY = "atelier-studio-draft";
/** Per tab (sessionStorage): a reload keeps the tab's "Running & recent", a new tab starts empty. */
const JOBS_KEY = "atelier-studio-jobs";
const MAX_STORED_JOBS = 50;
const ID = /^[0-9A-Z]{26}$/;

let draft: Draft | null = null;
let sessionJobIds: string[] = [];

function store(next: Draft) {
  const { input, ...rest } = next;
  const stored: StoredDraft = { ...rest, inputId: input?.id ?? null };
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
  } catch {
    // Private mode or a full quota: the draft still lives for this tab.
  }
}

/** The last saved draft, or null when there is none or it isn't one (an old shape, hand edits). */
function stored(): StoredDraft | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
    if (typeof value !== "object" || value === null) return null;
    const d = value as Record<string, unknown>;
    const strings = ["prompt", "provider", "model", "aspectRatio", "seed"].every((k) => typeof d[k] === "string");
    const ok =
      strings &&
      typeof d.ratioTouched === "boolean" &&
      typeof d.n === "number" &&
      Number.isInteger(d.n) &&
      (d.inputId === null || (typeof d.inputId === "string" && ID.test(d.inputId)));
    return ok ? (d as StoredDraft) : null;
  } catch {
    return null;
  }
}

export const studioSession = {
  /** This document's draft; null until the studio has rendered once in it. */
  draft: () => draft,
  saveDraft: (next: Draft) => {
    draft = next;
    store(next);
  },
  /** The draft saved by an earlier page load (browser only). */
  storedDraft: stored,
  jobIds: () => sessionJobIds,
  saveJobIds: (ids: string[]) => {
    sessionJobIds = ids;
    try {
      sessionStorage.setItem(JOBS_KEY, JSON.stringify(ids.slice(0, MAX_STORED_JOBS)));
    } catch {
      // Storage refused: the list still lives for this document.
    }
  },
  /** The job ids an earlier load of this tab kept (browser only). */
  storedJobIds: (): string[] => {
    try {
      const value: unknown = JSON.parse(sessionStorage.getItem(JOBS_KEY) ?? "[]");
      return Array.isArray(value) ? value.filter((id): id is string => typeof id === "string" && ID.test(id)) : [];
    } catch {
      return [];
    }
  },
};
