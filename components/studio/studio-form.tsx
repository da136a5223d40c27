"use client";

import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useId, useRef, useState, useTransition } from "react";
import { submitJobAction } from "@/lib/server/actions";
import type { AspectRatioChoice, Mode } from "@/lib/catalog";
import { imageUrl, type JobDto, type ProviderDto } from "@/lib/dto";
import { createFanOut, errorMessage, uploadImage } from "@/lib/client/api";
import type { Budget } from "@/lib/dto";
import { MATCH_INPUT, PROMPT_LIMIT } from "@/lib/client/constants";
import { formatUsd, PRICE_NOT_PUBLISHED } from "@/lib/client/format";
import { estimateCost, modelOptions } from "@/lib/client/recipe-fit";
import { loadSchemas, preloadSchemas } from "@/lib/client/validate";
import { type Draft, type StoredDraft, studioSession } from "@/lib/client/session";
import { AspectRatioPicker } from "./aspect-ratio-picker";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { CountPicker } from "./count-picker";
import type { FanOutTarget } from "./fan-out-panel";
import type { StudioRecipe } from "../batch/apply-edit-dialog";
import { FieldError } from "../ui/field-error";
import { FanOutIcon } from "../ui/icons";
import { ImageDropzone, type InputImage } from "./image-dropzone";
import type { MaskHandle } from "./mask-painter";
import { type ModelChoice, ModelSelect } from "./model-select";
import { SeedField } from "./seed-field";
import { SubmitBar } from "./submit-bar";
import { SubmittedNotice } from "./submitted-notice";

// The fan-out picker loads when opened; the studio's first paint doesn't need it.
const FanOutPanel = dynamic(() => import("./fan-out-panel").then((m) => m.FanOutPanel), {
  ssr: false,
  loading: () => <div className="mb-3 h-40 animate-pulse rounded-xl border border-zinc-800 bg-zinc-950/40" />,
});

// The region painter is large and only some edits use it: it loads when first opened.
const MaskPainter = dynamic(() => import("./mask-painter").then((m) => m.MaskPainter), {
  ssr: false,
  loading: () => <div className="mt-3 h-64 animate-pulse rounded-xl border border-zinc-800 bg-zinc-950/40" />,
});

// Several files dropped at once open the batch dialog (shared with the gallery's selection bar).
const ApplyEditDialog = dynamic(() => import("../batch/apply-edit-dialog").then((m) => m.ApplyEditDialog), { ssr: false });

/** The recipe a remix starts from (`/?remix=<jobId>`), its painted region included. */
export type RemixSource = Pick<JobDto, "id" | "provider" | "model" | "prompt" | "aspectRatio" | "seed" | "n" | "mask">;

type BudgetWarning = { spent: number; limit: number; estimate: number | null; what: string; run: () => void };

type FieldErrors = Partial<Record<"prompt" | "seed" | "n" | "aspectRatio" | "input", string>>;

const PLACEHOLDER: Record<Mode, string> = {
  edit: "Describe the change, e.g. “Turn it into golden hour light, keep the composition”",
  generate: "Describe the image, e.g. “A ceramic teapot on a linen tablecloth, soft window light”",
};

function defaultChoice(providers: ProviderDto[]): ModelChoice {
  const usable = providers.find((p) => p.id === "demo" && p.configured) ?? providers.find((p) => p.configured);
  const provider = usable ?? providers[0];
  return { provider: provider?.id ?? "demo", model: provider?.models[0]?.id ?? "demo" };
}

/** A saved draft made to fit this server: a provider that is gone or has no key falls back to the default. */
function fitStored(stored: StoredDraft, providers: ProviderDto[]): Draft {
  const { inputId: _inputId, ...rest } = stored;
  const provider = providers.find((p) => p.id === stored.provider && p.configured);
  const choice = provider
    ? { provider: provider.id, model: provider.models.some((m) => m.id === stored.model) ? stored.model : (provider.models[0]?.id ?? stored.model) }
    : defaultChoice(providers);
  return { ...rest, ...choice, n: Math.max(1, stored.n), input: null };
}

function initialDraft(providers: ProviderDto[], initialInputId: string | null, remix: RemixSource | null): Draft {
  // A remix replaces the whole form; its input (if any) arrives through initialInputId.
  if (remix) {
    return {
      provider: remix.provider,
      model: remix.model,
      prompt: remix.prompt,
      aspectRatio: remix.aspectRatio,
      ratioTouched: true,
      seed: String(remix.seed),
      n: remix.n,
      input: null,
    };
  }
  const saved = studioSession.draft();
  // `/?input=<id>` replaces whatever input the draft had; the dropzone loads the new one.
  if (saved && initialInputId) return { ...saved, input: null };
  // Local preview URLs were revoked when the form unmounted; show the server copy instead.
  if (saved) return saved.input ? { ...saved, input: { ...saved.input, previewUrl: imageUrl(saved.input.id) } } : saved;
  return { ...defaultChoice(providers), prompt: "", aspectRatio: "1:1", ratioTouched: false, seed: "", n: 1, input: null };
}

/** Drops one parameter from the address bar, keeping the others (the gallery's filters). */
function dropParam(name: string) {
  const url = new URL(window.location.href);
  if (!url.searchParams.has(name)) return;
  url.searchParams.delete(name);
  window.history.replaceState(null, "", `${url.pathname}${url.search}${url.hash}`);
}

export function StudioForm({
  providers,
  initialInputId,
  remix = null,
  budget,
  onSubmitted,
}: {
  providers: ProviderDto[];
  initialInputId: string | null;
  remix?: RemixSource | null;
  budget?: Budget;
  onSubmitted: (job: JobDto) => void;
}) {
  const router = useRouter();
  const [draft, setDraft] = useState<Draft>(() => initialDraft(providers, initialInputId, remix));
  const [fanOutOpen, setFanOutOpen] = useState(false);
  const [fanOutPending, setFanOutPending] = useState(false);
  const [fanOutError, setFanOutError] = useState<string | null>(null);
  const [warning, setWarning] = useState<BudgetWarning | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  // A remix of a region edit opens the painter on that region, for the remix's input only.
  const [regionSeed] = useState(() => (remix?.mask && initialInputId ? { inputId: initialInputId, maskId: remix.mask.imageId } : null));
  const [painting, setPainting] = useState(regionSeed !== null);
  /** Files dropped, picked or pasted several at once: the batch dialog takes them with this recipe. */
  const [batch, setBatch] = useState<{ files: File[]; recipe: StudioRecipe } | null>(null);
  const mask = useRef<MaskHandle | null>(null);
  const [pending, startTransition] = useTransition();
  const promptHintId = useId();
  // Marks the form interactive once hydrated and drag and drop is live (the e2e specs wait for it).
  const [ready, setReady] = useState(false);
  const [dropzoneReady, setDropzoneReady] = useState(false);
  const onDropzoneReady = useCallback(() => setDropzoneReady(true), []);
  // The saved draft's input loads through the dropzone, like `?input=`, so a deleted image says so.
  const [storedInputId, setStoredInputId] = useState<string | null>(null);
  const restoring = useRef(false);
  useEffect(() => {
    setReady(true);
    preloadSchemas();
    // The remix has filled the form; a reload shouldn't overwrite later edits with it again.
    if (remix) {
      dropParam("remix");
      // "Edit instruction" on a refused job links here with #prompt: the wording is what to change.
      if (window.location.hash === "#prompt") document.getElementById("prompt")?.focus();
      return;
    }
    // First studio render in this page load: pick up the draft an earlier load saved. (Read
    // here, not in useState, so the server render and the hydrated form agree.)
    if (studioSession.draft() !== null) return;
    const stored = studioSession.storedDraft();
    if (!stored) return;
    restoring.current = true;
    setDraft(fitStored(stored, providers));
    // `/?input=<id>` (continue editing) wins over the saved input.
    if (!initialInputId) setStoredInputId(stored.inputId);
    // Runs once per mount: the remix and the address are read as the form opened.
  }, [remix]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    // Don't write the blank first render over the saved draft that is about to be restored.
    if (restoring.current) {
      restoring.current = false;
      return;
    }
    studioSession.saveDraft(draft);
  }, [draft]);

  const provider = providers.find((p) => p.id === draft.provider);
  const model = provider?.models.find((m) => m.id === draft.model) ?? provider?.models[0];
  const input = draft.input;
  const mode: Mode = input ? "edit" : "generate";
  const ratioOptions: readonly AspectRatioChoice[] = model?.aspectRatios ?? ["1:1"];
  const minN = model?.minN ?? 1;
  const maxN = model?.maxN ?? 1;
  const n = Math.min(Math.max(draft.n, minN), maxN);
  const canEdit = model?.modes.includes("edit") ?? false;
  const canGenerate = model?.modes.includes("generate") ?? false;
  const modeProblem =
    mode === "edit" && !canEdit
      ? "This model makes images from text only. Remove the input image, or pick a model that edits."
      : mode === "generate" && !canGenerate
        ? "This model needs an input image. Add one above, or pick a model that works from text."
        : null;
  const setupProblem = provider && !provider.configured ? `${provider.label} isn't set up: set ${provider.envKey} on the server.` : null;
  /** Why the single submit can't run as the form stands; shown beside the disabled button. */
  const blocked = uploading ? null : (setupProblem ?? modeProblem);
  // What the button offers: the form's mode, or, when the model can't do that, the one thing it does.
  const runMode: Mode = modeProblem ? (canEdit ? "edit" : "generate") : mode;
  const [submittedId, setSubmittedId] = useState<string | null>(null);

  /** Price × images; null when the provider publishes no price for this model. */
  const price = model ? estimateCost([{ priceUsd: model.priceUsd, n }]) : 0;

  const update = useCallback((patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch })), []);

  // An input makes "Match input" the default; removing it falls back to 1:1.
  const setInput = useCallback((image: InputImage | null) => {
    setErrors((e) => ({ ...e, input: undefined }));
    setDraft((d) => {
      let aspectRatio = d.aspectRatio;
      if (image && !d.ratioTouched) aspectRatio = MATCH_INPUT;
      if (!image && aspectRatio === MATCH_INPUT) aspectRatio = "1:1";
      return { ...d, input: image, aspectRatio };
    });
    // A removed input takes its painted region with it; a replaced one starts a fresh mask.
    if (!image) setPainting(false);
    // `/?input=` has done its job once loaded or removed; a reload shouldn't bring it back.
    dropParam("input");
  }, []);

  // Keep the ratio valid when the model changes.
  useEffect(() => {
    if (!ratioOptions.includes(draft.aspectRatio)) {
      update({ aspectRatio: input && ratioOptions.includes(MATCH_INPUT) ? MATCH_INPUT : (ratioOptions.find((r) => r !== MATCH_INPUT) ?? "1:1") });
    }
  }, [ratioOptions, draft.aspectRatio, input, update]);

  /** The form as one recipe for a batch; the ratio only when chosen (an input's default is "Match input"). */
  function studioRecipe(): StudioRecipe {
    const { provider, prompt, aspectRatio, ratioTouched, seed } = draft;
    return { provider, model: model?.id ?? draft.model, prompt, aspectRatio: ratioTouched ? aspectRatio : MATCH_INPUT, seed };
  }

  async function validate(fanOut = false) {
    const { createJobSchema } = await loadSchemas();
    const seed = draft.seed === "" ? undefined : Number(draft.seed);
    const candidate = {
      provider: draft.provider,
      model: model?.id,
      prompt: draft.prompt,
      aspectRatio: draft.aspectRatio,
      ...(seed === undefined ? {} : { seed: Number.isNaN(seed) ? draft.seed : seed }),
      n,
      ...(input ? { inputImageIds: [input.id] } : {}),
    };
    const parsed = createJobSchema.safeParse(candidate);
    const found: FieldErrors = {};
    let other: string | null = null;
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = issue.path[0];
        const field =
          key === "prompt" || key === "seed" || key === "n" || key === "aspectRatio"
            ? key
            : key === "inputImageIds"
              ? "input"
              : null;
        if (field) found[field] ??= issue.message;
        else other ??= issue.message;
      }
    }
    if (draft.seed !== "" && !/^\d+$/.test(draft.seed)) found.seed ??= "The seed must be a whole number";
    if (uploading) found.input = "Wait for the upload to finish.";
    else if (modeProblem && !fanOut) found.input = modeProblem;
    // A fan-out picks its own models; only the single submit needs this one to work.
    if (provider && !provider.configured && !fanOut) other ??= `${provider.label} isn't set up: set ${provider.envKey} on the server.`;
    return { data: parsed.success ? parsed.data : null, found, other };
  }

  async function submit() {
    if (pending || blocked) return;
    let checked: Awaited<ReturnType<typeof validate>>;
    try {
      checked = await validate();
    } catch {
      setSubmitError("Couldn't load the form checks. Check your connection and try again.");
      return;
    }
    const { data, found, other } = checked;
    setErrors(found);
    setSubmitError(other);
    if (!data || Object.keys(found).length > 0 || other) {
      const first = found.prompt ? "prompt" : found.seed ? "seed" : null;
      if (first) document.getElementById(first)?.focus();
      return;
    }
    const run = () =>
      startTransition(async () => {
        let maskImageId: string | undefined;
        try {
          maskImageId = await uploadMask();
        } catch (e) {
          setSubmitError(`The painted region couldn't be uploaded: ${errorMessage(e)}`);
          return;
        }
        try {
          const result = await submitJobAction(maskImageId ? { ...data, maskImageId } : data);
          if (result.ok) {
            setSubmitError(null);
            onSubmitted(result.job);
            setSubmittedId(result.job.id);
          } else {
            setSubmitError(result.error.message);
          }
        } catch {
          setSubmitError("Couldn't reach the server. Check your connection and try again.");
        }
      });
    const warn = budgetWarning(price, `This job (${model?.label ?? "this model"}${n > 1 ? `, ${n} images` : ""})`, run);
    if (warn) setWarning(warn);
    else run();
  }

  /** A painted region goes up as a mask PNG of the input's exact size; none means a whole-image edit. */
  async function uploadMask(): Promise<string | undefined> {
    if (!input || !painting) return undefined;
    // The remix's region as it came (the painter may still be loading it): the job reuses that mask.
    if (regionSeed?.inputId === input.id && (mask.current?.unchanged() ?? true)) return regionSeed.maskId;
    if (!mask.current?.painted()) return undefined;
    return (await uploadImage(await mask.current.exportPng())).id;
  }

  /** A warning when a budget is set and this submit would pass it; null to go ahead. */
  function budgetWarning(estimate: number | null, what: string, run: () => void): BudgetWarning | null {
    if (!budget || budget.monthlyUsd === null) return null;
    // A person's limit (team mode) is the server's to enforce: it refuses a priced submit that
    // would pass it, saying what is left, so there is nothing to "submit anyway".
    if (budget.scope === "person" && estimate !== null) return null;
    const limit = budget.monthlyUsd;
    const spent = budget.spentThisMonthUsd + budget.pendingUsd;
    // A free job can't pass the budget; a job of unknown cost warns once the budget is spent.
    const passes = estimate === null ? spent >= limit : estimate > 0 && spent + estimate > limit;
    return passes ? { spent, limit, estimate, what, run } : null;
  }

  async function sendFanOut(targets: FanOutTarget[]) {
    if (fanOutPending || targets.length === 0) return;
    let checked: Awaited<ReturnType<typeof validate>>;
    try {
      checked = await validate(true);
    } catch {
      setFanOutError("Couldn't load the form checks. Check your connection and try again.");
      return;
    }
    const { data, found, other } = checked;
    setErrors(found);
    setSubmitError(null);
    if (!data || Object.keys(found).length > 0 || other) {
      setFanOutError(other ?? "Fix the highlighted fields first.");
      const first = found.prompt ? "prompt" : found.seed ? "seed" : null;
      if (first) document.getElementById(first)?.focus();
      return;
    }
    setFanOutError(null);
    const priced = targets.map((t) => ({
      n,
      priceUsd: providers.find((p) => p.id === t.provider)?.models.find((m) => m.id === t.model)?.priceUsd ?? null,
    }));
    const run = async () => {
      setFanOutPending(true);
      try {
        const maskImageId = await uploadMask();
        const recipe = { ...data, ...(maskImageId ? { maskImageId } : {}), provider: targets[0]!.provider, model: targets[0]!.model };
        const { batchId, jobs } = await createFanOut(recipe, targets);
        for (const job of [...jobs].reverse()) onSubmitted(job);
        router.push(`/batches/${batchId}`);
      } catch (e) {
        setFanOutError(errorMessage(e));
        setFanOutPending(false);
      }
    };
    const warn = budgetWarning(estimateCost(priced), `This fan-out to ${targets.length} ${targets.length === 1 ? "model" : "models"}`, () => void run());
    if (warn) setWarning(warn);
    else await run();
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void submit();
  }

  function onKeyDown(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      void submit();
    }
  }

  const promptLength = draft.prompt.length;
  const fanOutOptions = fanOutOpen
    ? modelOptions(providers, { mode, aspectRatio: draft.aspectRatio, n, seeded: draft.seed !== "", inputs: input ? 1 : 0 })
    : [];

  return (
    <>
    <form
      onSubmit={onSubmit}
      onKeyDown={onKeyDown}
      noValidate
      aria-label="New image"
      data-ready={ready && dropzoneReady ? "true" : undefined}
      className="flex min-h-0 flex-1 flex-col"
    >
      <div className="min-h-0 flex-1 space-y-5 overflow-y-auto p-4 [scrollbar-width:thin] sm:p-5">
      <ImageDropzone
        value={input}
        onChange={setInput}
        onBusyChange={setUploading}
        initialImageId={initialInputId ?? storedInputId}
        formError={errors.input}
        onReady={onDropzoneReady}
        onSeveral={(files) => setBatch({ files, recipe: studioRecipe() })}
      />
      {input && !uploading ? (
        <div className="-mt-3">
          <button
            type="button"
            aria-expanded={painting}
            onClick={() => setPainting((open) => !open)}
            onPointerEnter={() => void import("./mask-painter")}
            className="rounded text-xs text-accent-300 underline-offset-2 hover:underline"
          >
            {painting ? "Edit the whole image instead" : "Paint a region to change"}
          </button>
          {painting ? (
            <MaskPainter
              key={input.id}
              image={input}
              handleRef={mask}
              initialMask={regionSeed?.inputId === input.id ? imageUrl(regionSeed.maskId) : null}
            />
          ) : null}
        </div>
      ) : null}

      <div>
        <div className="mb-1.5 flex items-baseline justify-between">
          <label htmlFor="prompt" className="text-sm font-medium text-zinc-200">
            Instruction
          </label>
          <span className="text-xs text-zinc-500">{mode === "edit" ? "Edit the input" : "Text to image"}</span>
        </div>
        <textarea
          id="prompt"
          name="prompt"
          rows={4}
          value={draft.prompt}
          placeholder={PLACEHOLDER[mode]}
          onChange={(e) => {
            update({ prompt: e.target.value });
            if (errors.prompt) setErrors((x) => ({ ...x, prompt: undefined }));
          }}
          aria-invalid={errors.prompt ? true : undefined}
          aria-describedby={errors.prompt ? "prompt-error" : promptHintId}
          className="field min-h-24 resize-y leading-relaxed"
        />
        {errors.prompt ? (
          <FieldError id="prompt-error" message={errors.prompt} />
        ) : (
          <p id={promptHintId} className="mt-1.5 flex justify-between text-xs text-zinc-500">
            <span>{mode === "edit" ? "Say what to change; what you don't mention stays." : "Subject, setting, light, style."}</span>
            {promptLength > PROMPT_LIMIT * 0.8 ? (
              <span className={`tabular-nums ${promptLength > PROMPT_LIMIT ? "text-red-300" : ""}`}>
                {promptLength} / {PROMPT_LIMIT}
              </span>
            ) : null}
          </p>
        )}
      </div>

      <ModelSelect
        providers={providers}
        value={{ provider: draft.provider, model: model?.id ?? draft.model }}
        hasInput={input !== null}
        onChange={(choice) => update(choice)}
      />

      <AspectRatioPicker
        options={ratioOptions}
        value={draft.aspectRatio}
        onChange={(aspectRatio) => update({ aspectRatio, ratioTouched: true })}
        input={input}
        error={errors.aspectRatio}
      />

      <div className={`grid gap-3 ${maxN > minN ? "grid-cols-[minmax(0,1fr)_minmax(0,1fr)]" : "grid-cols-1"}`}>
        {model?.seed !== false ? (
          <SeedField
            value={draft.seed}
            onChange={(seed) => {
              update({ seed });
              if (errors.seed) setErrors((x) => ({ ...x, seed: undefined }));
            }}
            error={errors.seed}
          />
        ) : null}
        {maxN > minN ? (
          <div>
            <CountPicker min={minN} max={maxN} value={n} onChange={(value) => update({ n: value })} />
            <FieldError id="n-error" message={errors.n} />
          </div>
        ) : null}
      </div>

      </div>

      <div className="sticky bottom-0 z-10 rounded-b-2xl border-t border-zinc-800/80 bg-zinc-900/95 p-4 backdrop-blur sm:px-5 lg:static lg:bg-zinc-900/60">
      <SubmitBar
        label={runMode === "edit" ? "Edit image" : "Generate image"}
        priceUsd={price}
        providerLabel={provider?.label ?? "No provider"}
        isDemo={draft.provider === "demo"}
        pending={pending}
        disabled={uploading}
        blocked={blocked}
        error={submitError}
        below={submittedId ? <SubmittedNotice jobId={submittedId} onDismiss={() => setSubmittedId(null)} /> : null}
        budget={budget}
        above={
          fanOutOpen ? (
            <FanOutPanel
              options={fanOutOptions}
              initial={{ provider: draft.provider, model: model?.id ?? draft.model }}
              n={n}
              pending={fanOutPending}
              error={fanOutError}
              onSend={(targets) => void sendFanOut(targets)}
              onClose={() => {
                setFanOutOpen(false);
                setFanOutError(null);
              }}
            />
          ) : null
        }
        side={
          <button
            type="button"
            aria-expanded={fanOutOpen}
            onClick={() => setFanOutOpen((open) => !open)}
            onPointerEnter={() => void import("./fan-out-panel")}
            title="Fan-out: send this recipe to several models at once"
            className={`flex h-11 shrink-0 items-center gap-1.5 rounded-xl border px-3 text-sm font-medium transition-colors ${
              fanOutOpen
                ? "border-accent-400/60 bg-accent-400/10 text-accent-300"
                : "border-zinc-700 bg-zinc-900 text-zinc-300 hover:border-zinc-500 hover:text-zinc-100"
            }`}
          >
            <FanOutIcon className="size-4" />
            Fan-out
          </button>
        }
      />
      </div>
      <ConfirmDialog
        open={warning !== null}
        tone="accent"
        title="This would pass your monthly budget"
        confirmLabel="Submit anyway"
        onCancel={() => setWarning(null)}
        onConfirm={() => {
          const run = warning?.run;
          setWarning(null);
          run?.();
        }}
      >
        {warning ? (
          <p data-testid="budget-warning">
            You have spent <strong className="text-zinc-100">{formatUsd(warning.spent)}</strong> of your{" "}
            <strong className="text-zinc-100">{formatUsd(warning.limit)}</strong> budget this month.{" "}
            {warning.estimate === null
              ? `${warning.what} has no estimate: ${PRICE_NOT_PUBLISHED.toLowerCase()}.`
              : `${warning.what} is estimated at ${formatUsd(warning.estimate)}, which brings the month to ${formatUsd(warning.spent + warning.estimate)}.`}
          </p>
        ) : null}
      </ConfirmDialog>
    </form>
    {/* Beside the form, not in it: the dialog's own form must not submit (or Cmd+Enter) this one. */}
    {batch ? <ApplyEditDialog providers={providers} initialFiles={batch.files} recipe={batch.recipe} onClose={() => setBatch(null)} /> : null}
    </>
  );
}
