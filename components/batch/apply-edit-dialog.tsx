"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import type { AspectRatioChoice } from "@/lib/catalog";
import type { ProviderDto } from "@/lib/dto";
import { createImageBatch, errorMessage, fetchBudget } from "@/lib/client/api";
import { MATCH_INPUT } from "@/lib/client/constants";
import { formatUsd, priceText } from "@/lib/client/format";
import { queryKeys } from "@/lib/client/query-keys";
import { estimateCost } from "@/lib/client/recipe-fit";
import { type Draft, studioSession } from "@/lib/client/session";
import { loadSchemas } from "@/lib/client/validate";
import { AspectRatioPicker } from "../studio/aspect-ratio-picker";
import { type ModelChoice, ModelSelect } from "../studio/model-select";
import { SeedField } from "../studio/seed-field";
import { BudgetLine } from "../studio/submit-bar";
import { FieldError } from "../ui/field-error";
import { Spinner } from "../ui/icons";
import { type BatchImage, BatchImages } from "./batch-images";

type Errors = Partial<Record<"prompt" | "seed" | "images", string>>;

/** Only models that edit: the dialog's recipe always has an input image. */
function editingProviders(providers: ProviderDto[]): ProviderDto[] {
  return providers
    .map((p) => ({ ...p, models: p.models.filter((m) => m.modes.includes("edit") && m.maxInputImages > 0) }))
    .filter((p) => p.models.length > 0);
}

/** What the studio's form held when several files were dropped there: the batch starts from it. */
export type StudioRecipe = Pick<Draft, "provider" | "model" | "prompt" | "aspectRatio" | "seed">;

/** The studio's model when it edits; else the demo engine; else the first that is set up. */
function initialChoice(providers: ProviderDto[], draft: StudioRecipe | null): ModelChoice {
  const fromStudio = providers.find((p) => p.configured && p.id === draft?.provider)?.models.find((m) => m.id === draft?.model);
  if (draft && fromStudio) return { provider: draft.provider, model: fromStudio.id };
  const provider = providers.find((p) => p.id === "demo" && p.configured) ?? providers.find((p) => p.configured) ?? providers[0];
  return { provider: provider?.id ?? "demo", model: provider?.models[0]?.id ?? "demo" };
}

/**
 * "Apply an edit…": one recipe (instruction, model, ratio, seed) sent as one job per image,
 * all with the same seed, then the batch page. Opened from the gallery's selection bar (with
 * the picked images), or by several files dropped in the studio (with those files and the
 * studio's recipe).
 */
export function ApplyEditDialog({
  providers,
  initialImages = [],
  initialFiles,
  recipe,
  onClose,
}: {
  providers: ProviderDto[];
  initialImages?: BatchImage[];
  initialFiles?: File[];
  recipe?: StudioRecipe;
  onClose: () => void;
}) {
  const router = useRouter();
  const ref = useRef<HTMLDialogElement>(null);
  const editors = useMemo(() => editingProviders(providers), [providers]);
  const [images, setImages] = useState(initialImages);
  const [uploading, setUploading] = useState(false);
  const [prompt, setPrompt] = useState(recipe?.prompt ?? "");
  const [choice, setChoice] = useState(() => initialChoice(editors, recipe ?? studioSession.draft()));
  const [aspectRatio, setAspectRatio] = useState<AspectRatioChoice>(recipe?.aspectRatio ?? MATCH_INPUT);
  const [seed, setSeed] = useState(recipe?.seed ?? "");
  const [errors, setErrors] = useState<Errors>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [budgetWarned, setBudgetWarned] = useState(false);
  const { data: budget } = useQuery({ queryKey: queryKeys.budget, queryFn: ({ signal }) => fetchBudget(signal), staleTime: 30_000 });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || dialog.open) return;
    const previous = document.activeElement as HTMLElement | null;
    dialog.showModal();
    return () => {
      dialog.close();
      previous?.focus?.();
    };
  }, []);

  const provider = editors.find((p) => p.id === choice.provider);
  const model = provider?.models.find((m) => m.id === choice.model) ?? provider?.models[0];
  const ratios = model?.aspectRatios ?? [MATCH_INPUT];
  const ratio = ratios.includes(aspectRatio) ? aspectRatio : ratios[0]!;
  const n = model?.minN ?? 1;
  const estimate = model ? estimateCost([{ priceUsd: model.priceUsd, n: n * images.length }]) : null;
  const spent = budget?.spentThisMonthUsd ?? 0;
  const limit = budget?.monthlyUsd ?? null;
  const overBudget = limit !== null && (estimate === null ? spent >= limit : estimate > 0 && spent + estimate > limit);
  const setupProblem = provider && !provider.configured ? `${provider.label} isn't set up: set ${provider.envKey} on the server.` : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (pending) return;
    if (uploading) return setErrors({ images: "Wait for the uploads to finish." });
    if (setupProblem) return setSubmitError(setupProblem);
    const { createBatchSchema } = await loadSchemas().catch(() => ({ createBatchSchema: null }));
    if (!createBatchSchema) return setSubmitError("Couldn't load the form checks. Check your connection and try again.");
    const seedValue = seed === "" ? undefined : /^\d+$/.test(seed) ? Number(seed) : seed;
    const recipe = {
      provider: choice.provider,
      model: model?.id,
      prompt,
      aspectRatio: ratio,
      ...(seedValue !== undefined && model?.seed !== false && { seed: seedValue }),
      ...(n > 1 && { n }),
    };
    const parsed = createBatchSchema.safeParse({ recipe, inputImageIds: images.map((image) => image.id) });
    const found: Errors = {};
    let other: string | null = null;
    for (const issue of parsed.error?.issues ?? []) {
      const [where, field] = issue.path;
      const key = where === "inputImageIds" ? "images" : field === "prompt" || field === "seed" ? field : null;
      if (key) found[key] ??= key === "images" && images.length === 0 ? "Add at least one image." : issue.message;
      else other ??= issue.message;
    }
    setErrors(found);
    setSubmitError(other);
    if (!parsed.success) {
      if (found.prompt) document.getElementById("batch-prompt")?.focus();
      else if (found.seed) document.getElementById("batch-seed")?.focus();
      return;
    }
    if (overBudget && !budgetWarned) return setBudgetWarned(true);
    setPending(true);
    try {
      const { batchId } = await createImageBatch(parsed.data.recipe, parsed.data.inputImageIds!);
      router.push(`/batches/${batchId}`);
    } catch (e) {
      setSubmitError(errorMessage(e));
      setPending(false);
    }
  }

  const count = images.length;
  const label = count === 1 ? "Apply to 1 image" : `Apply to ${count} images`;

  return (
    <dialog
      ref={ref}
      aria-labelledby="apply-edit-title"
      onCancel={(event) => {
        event.preventDefault();
        if (!pending) onClose();
      }}
      className="m-auto max-h-[calc(100dvh-2rem)] w-[min(40rem,calc(100vw-2rem))] overflow-hidden rounded-2xl border border-zinc-800 bg-zinc-900 p-0 text-zinc-100 shadow-2xl shadow-black/40"
      data-testid="apply-edit-dialog"
    >
      <form onSubmit={(e) => void submit(e)} noValidate className="flex max-h-[calc(100dvh-2rem)] flex-col" aria-label="Apply an edit">
        <div className="min-h-0 flex-1 space-y-5 overflow-y-auto p-5 [scrollbar-width:thin]">
          <div>
            <h2 id="apply-edit-title" className="text-base font-semibold text-zinc-50">
              Apply an edit
            </h2>
            <p className="mt-1 text-sm text-zinc-400">
              The same instruction, model, ratio and seed, as one job per image. The results open together on one page.
            </p>
          </div>
          <BatchImages images={images} setImages={setImages} initialFiles={initialFiles} onBusyChange={setUploading} error={errors.images} />
          <div>
            <label htmlFor="batch-prompt" className="mb-1.5 block text-sm font-medium text-zinc-200">
              Instruction
            </label>
            <textarea
              id="batch-prompt"
              rows={3}
              value={prompt}
              placeholder="Say what to change in every image, e.g. “Put it on a plain white background”"
              onChange={(e) => {
                setPrompt(e.target.value);
                setErrors((x) => ({ ...x, prompt: undefined }));
              }}
              aria-invalid={errors.prompt ? true : undefined}
              aria-describedby={errors.prompt ? "batch-prompt-error" : undefined}
              className="field min-h-20 resize-y leading-relaxed"
            />
            <FieldError id="batch-prompt-error" message={errors.prompt} />
          </div>
          <ModelSelect id="batch-model" providers={editors} value={{ provider: choice.provider, model: model?.id ?? choice.model }} hasInput onChange={setChoice} />
          <AspectRatioPicker options={ratios} value={ratio} onChange={setAspectRatio} input={images[0] ?? null} />
          {model?.seed !== false ? (
            <SeedField
              id="batch-seed"
              value={seed}
              onChange={(value) => {
                setSeed(value);
                setErrors((x) => ({ ...x, seed: undefined }));
              }}
              error={errors.seed}
              hint="Empty picks one random seed, shared by every image"
            />
          ) : null}
        </div>
        <div className="space-y-2 border-t border-zinc-800 bg-zinc-950/40 px-5 py-3">
          <BudgetLine budget={budget} estimateUsd={estimate} />
          {budgetWarned ? (
            <p role="alert" className="text-[13px] text-amber-200" data-testid="budget-warning">
              This batch would pass your monthly budget of {formatUsd(limit ?? 0)}. Submit again to send it anyway.
            </p>
          ) : null}
          {submitError ? (
            <p role="alert" className="text-[13px] text-red-300">
              {submitError}
            </p>
          ) : null}
          <div className="flex items-center justify-end gap-2">
            <span className="mr-auto text-xs text-zinc-500" data-testid="batch-estimate">
              {count === 0 ? "No images yet" : `${count} ${count === 1 ? "job" : "jobs"} · ${priceText(estimate)}`}
            </span>
            <button
              type="button"
              onClick={onClose}
              disabled={pending}
              className="h-9 rounded-lg border border-zinc-700 px-3.5 text-sm text-zinc-200 hover:bg-zinc-800 disabled:opacity-60"
            >
              Cancel
            </button>
            <button
              type="submit"
              disabled={pending || uploading || count === 0}
              className="inline-flex h-9 items-center gap-2 rounded-lg bg-accent-400 px-3.5 text-sm font-semibold text-ink hover:bg-accent-300 disabled:opacity-60"
            >
              {pending ? <Spinner className="size-3.5" /> : null}
              {pending ? "Sending…" : uploading ? "Uploading…" : budgetWarned ? "Submit anyway" : label}
            </button>
          </div>
        </div>
      </form>
    </dialog>
  );
}
