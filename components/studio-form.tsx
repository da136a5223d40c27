"use client";

import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useId, useState, useTransition } from "react";
import { submitJobAction } from "@/app/actions";
import type { AspectRatioChoice, Mode } from "@/lib/catalog";
import { imageUrl, type JobDto, type ProviderDto } from "@/lib/dto";
import { MATCH_INPUT, PROMPT_LIMIT } from "@/lib/client/constants";
import { loadSchemas, preloadSchemas } from "@/lib/client/validate";
import { type Draft, studioSession } from "@/lib/client/session";
import { AspectRatioPicker } from "./aspect-ratio-picker";
import { CountPicker } from "./count-picker";
import { FieldError } from "./field-error";
import { ImageDropzone, type InputImage } from "./image-dropzone";
import { type ModelChoice, ModelSelect } from "./model-select";
import { SeedField } from "./seed-field";
import { SubmitBar } from "./submit-bar";

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

function initialDraft(providers: ProviderDto[], initialInputId: string | null): Draft {
  const saved = studioSession.draft();
  // `/?input=<id>` replaces whatever input the draft had; the dropzone loads the new one.
  if (saved && initialInputId) return { ...saved, input: null };
  // Local preview URLs were revoked when the form unmounted; show the server copy instead.
  if (saved) return saved.input ? { ...saved, input: { ...saved.input, previewUrl: imageUrl(saved.input.id) } } : saved;
  return { ...defaultChoice(providers), prompt: "", aspectRatio: "1:1", ratioTouched: false, seed: "", n: 1, input: null };
}

export function StudioForm({
  providers,
  initialInputId,
  onSubmitted,
}: {
  providers: ProviderDto[];
  initialInputId: string | null;
  onSubmitted: (job: JobDto) => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => initialDraft(providers, initialInputId));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const [pending, startTransition] = useTransition();
  const promptHintId = useId();
  // Marks the form interactive once hydrated (the e2e specs wait for it before acting).
  const [ready, setReady] = useState(false);
  useEffect(() => {
    setReady(true);
    preloadSchemas();
  }, []);

  useEffect(() => studioSession.saveDraft(draft), [draft]);

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
      ? "This model can't edit images. Remove the input image or pick another model."
      : mode === "generate" && !canGenerate
        ? "This model needs an input image."
        : null;

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
    // `/?input=` has done its job once loaded or removed; a reload shouldn't bring it back.
    if (window.location.search.includes("input=")) window.history.replaceState(null, "", "/");
  }, []);

  // Keep the ratio valid when the model changes.
  useEffect(() => {
    if (!ratioOptions.includes(draft.aspectRatio)) {
      update({ aspectRatio: input && ratioOptions.includes(MATCH_INPUT) ? MATCH_INPUT : (ratioOptions.find((r) => r !== MATCH_INPUT) ?? "1:1") });
    }
  }, [ratioOptions, draft.aspectRatio, input, update]);

  async function validate() {
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
    else if (modeProblem) found.input = modeProblem;
    if (provider && !provider.configured) other ??= `${provider.label} isn't set up: set ${provider.envKey} on the server.`;
    return { data: parsed.success ? parsed.data : null, found, other };
  }

  async function submit() {
    if (pending) return;
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
    startTransition(async () => {
      try {
        const result = await submitJobAction(data);
        if (result.ok) {
          setSubmitError(null);
          onSubmitted(result.job);
        } else {
          setSubmitError(result.error.message);
        }
      } catch {
        setSubmitError("Couldn't reach the server. Check your connection and try again.");
      }
    });
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

  const price = (model?.priceUsd ?? 0) * n;
  const promptLength = draft.prompt.length;

  return (
    <form
      onSubmit={onSubmit}
      onKeyDown={onKeyDown}
      noValidate
      aria-label="New image"
      data-ready={ready ? "true" : undefined}
      className="flex min-h-0 flex-1 flex-col"
    >
      <div className="min-h-0 flex-1 space-y-5 overflow-y-auto p-4 [scrollbar-width:thin] sm:p-5">
      <ImageDropzone
        value={input}
        onChange={setInput}
        onBusyChange={setUploading}
        initialImageId={initialInputId}
        formError={errors.input}
      />

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
        label={mode === "edit" ? "Edit image" : "Generate"}
        priceUsd={price}
        providerLabel={provider?.label ?? "No provider"}
        isDemo={draft.provider === "demo"}
        pending={pending}
        disabled={uploading}
        error={submitError}
      />
      </div>
    </form>
  );
}
