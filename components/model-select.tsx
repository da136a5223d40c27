"use client";

import type { ProviderId } from "@/lib/catalog";
import type { ProviderDto } from "@/lib/dto";

export type ModelChoice = { provider: ProviderId; model: string };

export const choiceValue = (c: ModelChoice) => `${c.provider}::${c.model}`;

export function parseChoice(value: string): ModelChoice {
  const [provider, model] = value.split("::") as [ProviderId, string];
  return { provider, model };
}

/** Providers and their models; a provider without its API key is listed but disabled. */
export function ModelSelect({
  providers,
  value,
  onChange,
}: {
  providers: ProviderDto[];
  value: ModelChoice;
  onChange: (choice: ModelChoice) => void;
}) {
  const provider = providers.find((p) => p.id === value.provider);
  return (
    <div>
      <label htmlFor="model" className="mb-1.5 block text-sm font-medium text-zinc-200">
        Model
      </label>
      <div className="relative">
        <select
          id="model"
          name="model"
          className="field appearance-none pr-9"
          value={choiceValue(value)}
          onChange={(e) => onChange(parseChoice(e.target.value))}
          aria-describedby="model-description"
        >
          {providers.map((p) => (
            <optgroup key={p.id} label={p.configured ? p.label : `${p.label} — set ${p.envKey}`}>
              {p.models.map((m) => (
                <option key={m.id} value={choiceValue({ provider: p.id, model: m.id })} disabled={!p.configured}>
                  {p.configured ? m.label : `${m.label} (set ${p.envKey})`}
                </option>
              ))}
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
        <p id="model-description" className="mt-1.5 text-xs leading-relaxed text-zinc-500">
          {provider.description}
        </p>
      ) : null}
    </div>
  );
}
