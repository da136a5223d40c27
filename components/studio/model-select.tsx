"use client";

import type { ProviderId } from "@/lib/catalog";
import type { ProviderDto } from "@/lib/dto";

export type ModelChoice = { provider: ProviderId; model: string };

export const choiceValue = (c: ModelChoice) => `${c.provider}::${c.model}`;

export function parseChoice(value: string): ModelChoice {
  const [provider, model] = value.split("::") as [ProviderId, string];
  return { provider, model };
}

type ModelDto = ProviderDto["models"][number];

/** Why a model can't take this form's mode, in a few words; null when it can. */
export function modeMismatch(model: ModelDto, hasInput: boolean): string | null {
  if (hasInput && !model.modes.includes("edit")) return "text to image only";
  if (!hasInput && !model.modes.includes("generate")) return "needs an input image";
  return null;
}

/**
 * Providers and their models; a provider without its API key is listed but disabled.
 * With an input image attached, text-to-image-only models are listed but can't be picked;
 * edit-only models stay pickable without one (the image often comes next) and say they need it.
 */
export function ModelSelect({
  providers,
  value,
  hasInput,
  onChange,
  id = "model",
}: {
  providers: ProviderDto[];
  value: ModelChoice;
  hasInput: boolean;
  onChange: (choice: ModelChoice) => void;
  /** Another id where a second form shares the page with the studio's. */
  id?: string;
}) {
  const provider = providers.find((p) => p.id === value.provider);
  return (
    <div>
      <label htmlFor={id} className="mb-1.5 block text-sm font-medium text-zinc-200">
        Model
      </label>
      <div className="relative">
        <select
          id={id}
          name="model"
          className="field appearance-none pr-9"
          value={choiceValue(value)}
          onChange={(e) => onChange(parseChoice(e.target.value))}
          aria-describedby={`${id}-description`}
        >
          {providers.map((p) => (
            <optgroup key={p.id} label={p.configured ? p.label : `${p.label} — set ${p.envKey}`}>
              {p.models.map((m) => {
                const mismatch = modeMismatch(m, hasInput);
                return (
                  <option
                    key={m.id}
                    value={choiceValue({ provider: p.id, model: m.id })}
                    disabled={!p.configured || (hasInput && mismatch !== null)}
                  >
                    {!p.configured ? `${m.label} (set ${p.envKey})` : mismatch ? `${m.label} — ${mismatch}` : m.label}
                  </option>
                );
              })}
            </optgroup>
          ))}
        </select>
        <svg
          viewBox="0 0 16 16"
          className="pointer-events-none absolute right-3 top-1/2 size-3.5 -translate-y-1/2 text-zinc-400"
          aria-hidden="true"
        >
          <path d="m4 6 4 4 4-4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        </svg>
      </div>
      {provider ? (
        <p id={`${id}-description`} className="mt-1.5 text-xs leading-relaxed text-zinc-500">
          {provider.description}
        </p>
      ) : null}
    </div>
  );
}
