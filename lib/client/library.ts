import type { ProviderId } from "@/lib/catalog";
import type { JobDto } from "@/lib/dto";
import { getJson, sendJson } from "./api";

/** Browser wrappers for the library endpoints: favourites, bulk delete and export, batches, budget. */

export type Budget = { monthlyUsd: number | null; spentThisMonthUsd: number };
export type LedgerRow = { day: string; provider: string; model: string; jobs: number; images: number; costUsd: number };
export type LedgerDto = { from: string; to: string; rows: LedgerRow[]; totalUsd: number; unpricedJobs: number; budget: Budget };

export function setFavorite(imageId: string, favorite: boolean): Promise<{ id: string; favorite: boolean; note: string | null }> {
  return sendJson("PATCH", `/api/images/${encodeURIComponent(imageId)}`, { favorite });
}

/** The server takes at most 500 ids per call. */
const DELETE_CHUNK = 500;

export async function deleteJobs(ids: string[]): Promise<{ deleted: number; imagesRemoved: number }> {
  let deleted = 0;
  let imagesRemoved = 0;
  for (let i = 0; i < ids.length; i += DELETE_CHUNK) {
    const result = await sendJson<{ deleted: number; imagesRemoved: number }>("POST", "/api/jobs/delete", {
      ids: ids.slice(i, i + DELETE_CHUNK),
    });
    deleted += result.deleted;
    imagesRemoved += result.imagesRemoved;
  }
  return { deleted, imagesRemoved };
}

export const exportUrl = (ids: string[]) => `/api/export?ids=${ids.map(encodeURIComponent).join(",")}`;

export type Recipe = {
  provider: ProviderId;
  model?: string;
  prompt: string;
  aspectRatio?: string;
  seed?: number;
  n?: number;
  inputImageIds?: string[];
};

export function createFanOut(
  recipe: Recipe,
  targets: { provider: ProviderId; model: string }[],
): Promise<{ batchId: string; jobs: JobDto[] }> {
  return sendJson("POST", "/api/jobs/batch", { recipe, targets });
}

/** This month's spend against the budget (ATELIER_BUDGET_USD); a one-day ledger keeps it cheap. */
export async function fetchBudget(signal?: AbortSignal): Promise<Budget> {
  const today = new Date().toISOString().slice(0, 10);
  const ledger = await getJson<LedgerDto>(`/api/ledger?from=${today}&to=${today}`, signal);
  return ledger.budget;
}
