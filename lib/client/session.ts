import type { AspectRatioChoice, ProviderId } from "@/lib/catalog";

/**
 * What the studio remembers across client-side navigations (studio → job page → back):
 * the form draft and the jobs submitted in this tab. A full reload starts clean; the
 * history itself always comes from the server.
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

let draft: Draft | null = null;
let sessionJobIds: string[] = [];

export const studioSession = {
  draft: () => draft,
  saveDraft: (next: Draft) => {
    draft = next;
  },
  jobIds: () => sessionJobIds,
  saveJobIds: (ids: string[]) => {
    sessionJobIds = ids;
  },
};
