"use client";

import { useId, useState } from "react";
import type { ProviderId } from "@/lib/catalog";
import { formatPrice, priceText } from "@/lib/client/format";
import { estimateCost, type ModelOption } from "@/lib/client/recipe-fit";
import { AlertIcon, CloseIcon, FanOutIcon, Spinner } from "../ui/icons";

export type FanOutTarget = { provider: ProviderId; model: string };
const key = (o: { provider: string; model: string }) => `${o.provider}::${o.model}`;

/**
 * Pick several provider/model pairs and send the same recipe to all of them at once.
 * Loaded on demand, when the designer opens it.
 */
export function FanOutPanel({
  options,
  initial,
  n,
  pending,
  error,
  onSend,
  onClose,
}: {
  options: ModelOption[];
  /** Pre-ticked: the model the form has selected, when it fits. */
  initial: FanOutTarget | null;
  n: number;
  pending: boolean;
  error: string | null;
  onSend: (targets: FanOutTarget[]) => void;
  onClose: () => void;
}) {
  const headingId = useId();
  const [picked, setPicked] = useState<Set<string>>(() => {
    const first = initial && options.find((o) => key(o) === key(initial) && !o.problem);
    return new Set(first ? [key(first)] : []);
  });
  const chosen = options.filter((o) => picked.has(key(o)) && !o.problem);
  const estimate = estimateCost(chosen.map((o) => ({ priceUsd: o.priceUsd, n })));
  const usable = options.filter((o) => !o.problem).length;

  function toggle(option: ModelOption) {
    setPicked((current) => {
      const next = new Set(current);
      if (next.has(key(option))) next.delete(key(option));
      else next.add(key(option));
      return next;
    });
  }

  return (
    <section
      aria-labelledby={headingId}
      data-testid="fan-out-panel"
      className="mb-3 rounded-xl border border-zinc-800 bg-zinc-950/60 p-3"
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="mb-2 flex items-start justify-between gap-2">
        <div>
          <h3 id={headingId} className="flex items-center gap-1.5 text-sm font-semibold text-zinc-100">
            <FanOutIcon className="size-4 text-accent-300" /> Fan-out
          </h3>
          <p className="mt-0.5 text-xs text-zinc-500">Send this recipe to several models; see the results side by side.</p>
        </div>
        <button
          type="button"
          onClick={onClose}
          className="rounded-md p-1 text-zinc-500 hover:bg-zinc-800 hover:text-zinc-200"
          aria-label="Close fan-out"
        >
          <CloseIcon className="size-3.5" />
        </button>
      </div>

      <fieldset className="min-w-0">
        <legend className="sr-only">Models to send to</legend>
        <ul className="max-h-52 space-y-1 overflow-y-auto [scrollbar-width:thin]">
          {options.map((option) => {
            const id = `fan-${key(option)}`;
            const checked = picked.has(key(option)) && !option.problem;
            return (
              <li key={key(option)}>
                <label
                  htmlFor={id}
                  className={`flex items-center gap-2.5 rounded-lg px-2 py-1.5 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-accent-400 ${
                    option.problem ? "cursor-not-allowed text-zinc-600" : checked ? "bg-accent-400/10 text-zinc-100" : "text-zinc-300 hover:bg-zinc-800/60"
                  }`}
                >
                  <input
                    id={id}
                    type="checkbox"
                    checked={checked}
                    disabled={Boolean(option.problem) || pending}
                    onChange={() => toggle(option)}
                    className="size-4 shrink-0 accent-[var(--color-accent-400)]"
                  />
                  <span
                    aria-hidden="true"
                    className="size-2 shrink-0 rounded-full"
                    style={{ background: `var(--color-provider-${option.provider})` }}
                  />
                  <span className="min-w-0 flex-1">
                    <span className="block truncate">
                      {option.label}
                      <span className="text-zinc-500"> · {option.providerLabel}</span>
                    </span>
                    {option.problem ? <span className="block text-xs text-zinc-500">{option.problem}</span> : null}
                  </span>
                  <span className="shrink-0 text-xs tabular-nums text-zinc-500">
                    {option.priceUsd === null || option.priceUsd === 0 ? priceText(option.priceUsd) : `${formatPrice(option.priceUsd)}/img`}
                  </span>
                </label>
              </li>
            );
          })}
        </ul>
      </fieldset>
      {usable <= 1 ? (
        <p className="mt-2 text-xs leading-relaxed text-zinc-500">
          Only {usable === 1 ? "one model fits" : "no model fits"} this recipe on this server. Add provider keys (e.g. THEROUTER_API_KEY) to
          compare providers.
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="mt-2 flex items-start gap-1.5 text-[13px] text-red-300">
          <AlertIcon className="mt-px size-3.5 shrink-0" />
          {error}
        </p>
      ) : null}
      <button
        type="button"
        disabled={chosen.length === 0 || pending}
        onClick={() => onSend(chosen.map((o) => ({ provider: o.provider, model: o.model })))}
        className="mt-3 flex h-10 w-full items-center justify-between gap-2 rounded-lg border border-accent-400/60 bg-accent-400/10 px-3 text-sm font-semibold text-accent-300 hover:bg-accent-400/20 disabled:cursor-not-allowed disabled:border-zinc-800 disabled:bg-transparent disabled:text-zinc-500"
      >
        <span className="flex items-center gap-2">
          {pending ? <Spinner className="size-3.5" /> : null}
          {pending ? "Sending…" : `Send to ${chosen.length} ${chosen.length === 1 ? "model" : "models"}`}
        </span>
        <span className="whitespace-nowrap text-xs font-medium tabular-nums" title="Estimated total" data-testid="fan-out-price">
          {chosen.length === 0 ? "" : priceText(estimate)}
        </span>
      </button>
    </section>
  );
}
