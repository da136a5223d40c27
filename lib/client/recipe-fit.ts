import type { AspectRatioChoice, Mode, ProviderId } from "@/lib/catalog";
import type { ProviderDto } from "@/lib/dto";
import { ratioLabel } from "./format";

/** Whether a model can take a recipe as it stands, and if not, why (in plain words). */
export type RecipeShape = { mode: Mode; aspectRatio: AspectRatioChoice; n: number; seeded: boolean; inputs: number };
export type ModelOption = {
  provider: ProviderId;
  providerLabel: string;
  model: string;
  label: string;
  priceUsd: number | null;
  problem: string | null;
};

type ModelDto = ProviderDto["models"][number];

export function recipeProblem(model: ModelDto, recipe: RecipeShape): string | null {
  if (!model.modes.includes(recipe.mode)) return recipe.mode === "edit" ? "Can't edit images" : "Needs an input image";
  if (recipe.inputs > model.maxInputImages) return "Takes no input image";
  if (!model.aspectRatios.includes(recipe.aspectRatio)) return `No ${ratioLabel(recipe.aspectRatio)} ratio`;
  if (recipe.n < model.minN || recipe.n > model.maxN) return model.maxN === 1 ? "One image per job" : `${model.minN}–${model.maxN} images per job`;
  if (recipe.seeded && !model.seed) return "Takes no seed";
  return null;
}

/** Every model of every configured provider, with what stops it from taking this recipe. */
export function modelOptions(providers: ProviderDto[], recipe: RecipeShape): ModelOption[] {
  return providers
    .filter((p) => p.configured)
    .flatMap((p) =>
      p.models.map((m) => ({
        provider: p.id,
        providerLabel: p.id === "demo" ? "Demo" : p.label,
        model: m.id,
        label: m.label,
        priceUsd: m.priceUsd,
        problem: recipeProblem(m, recipe),
      })),
    );
}

/** Estimated cost: price × images; null when any part has no published price. */
export function estimateCost(parts: { priceUsd: number | null; n: number }[]): number | null {
  let total = 0;
  for (const part of parts) {
    if (part.priceUsd === null) return null;
    total += part.priceUsd * part.n;
  }
  return Math.round(total * 10_000) / 10_000;
}
