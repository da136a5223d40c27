"use client";

import { useEffect, useState } from "react";
import { formatPrice } from "@/lib/client/format";
import { AlertIcon, Spinner } from "./icons";

export function SubmitBar({
  label,
  priceUsd,
  providerLabel,
  isDemo,
  pending,
  disabled,
  error,
}: {
  label: string;
  priceUsd: number;
  providerLabel: string;
  isDemo: boolean;
  pending: boolean;
  disabled: boolean;
  error: string | null;
}) {
  // The platform is only known in the browser; render the neutral hint on the server.
  const [mod, setMod] = useState("Ctrl");
  useEffect(() => {
    if (/Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)) setMod("⌘");
  }, []);

  return (
    <div className="space-y-2.5">
      <div className="flex items-center justify-between gap-2 text-xs">
        <span
          className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 font-medium ring-1 ring-inset ${
            isDemo ? "bg-zinc-800 text-zinc-300 ring-zinc-700" : "bg-accent-400/10 text-accent-300 ring-accent-400/25"
          }`}
          data-testid="provider-badge"
        >
          <span aria-hidden="true" className={`size-1.5 rounded-full ${isDemo ? "bg-zinc-400" : "bg-accent-400"}`} />
          {providerLabel}
        </span>
      </div>
      <button
        type="submit"
        disabled={disabled || pending}
        aria-keyshortcuts="Control+Enter Meta+Enter"
        className="flex h-11 w-full items-center justify-between gap-3 rounded-xl bg-accent-400 px-4 text-sm font-semibold text-zinc-950 shadow-[0_1px_0_rgb(255_255_255/0.25)_inset] transition-colors hover:bg-accent-300 focus-visible:outline-offset-3 active:bg-accent-500 disabled:cursor-not-allowed disabled:bg-zinc-800 disabled:text-zinc-500 disabled:shadow-none"
      >
        <span className="flex items-center gap-2">
          {pending ? <Spinner /> : null}
          {pending ? "Submitting…" : label}
        </span>
        <span className="flex items-center gap-2">
          <kbd
            className="hidden rounded border border-zinc-950/15 px-1.5 py-px font-sans text-[11px] font-medium text-zinc-950/60 sm:inline"
            aria-hidden="true"
            title={`${mod === "⌘" ? "Cmd" : "Ctrl"}+Enter submits from anywhere in the form`}
          >
            {mod === "⌘" ? "⌘ ↵" : "Ctrl ↵"}
          </kbd>
          <span className="rounded-md bg-zinc-950/10 px-2 py-0.5 text-xs font-semibold tabular-nums" data-testid="price">
            {formatPrice(priceUsd)}
          </span>
        </span>
      </button>
      {error ? (
        <p role="alert" id="submit-error" className="flex items-start gap-1.5 text-[13px] leading-snug text-red-300">
          <AlertIcon className="mt-px size-3.5 shrink-0" />
          <span>{error}</span>
        </p>
      ) : null}
    </div>
  );
}
