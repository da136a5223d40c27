"use client";

import { type ReactNode, useEffect, useState } from "react";
import { formatUsd, PRICE_NOT_PUBLISHED, priceText } from "@/lib/client/format";
import type { Budget } from "@/lib/dto";
import { BudgetMeter } from "../ui/budget-meter";
import { AlertIcon, Spinner } from "../ui/icons";

/** "Spent $1.20 of $5.00 this month", with a thin meter; nothing when no budget is set. */
export function BudgetLine({ budget, estimateUsd }: { budget: Budget | undefined; estimateUsd: number | null }) {
  if (!budget || budget.monthlyUsd === null) return null;
  const { monthlyUsd: limit, spentThisMonthUsd: spent } = budget;
  const after = estimateUsd === null ? null : spent + estimateUsd;
  const over = spent >= limit || (after !== null && after > limit);
  return (
    <div className="space-y-1" data-testid="budget">
      <p className="flex items-baseline justify-between gap-2 text-xs">
        <span className={over ? "text-red-300" : "text-zinc-400"}>
          Spent <span className="font-medium tabular-nums text-zinc-200">{formatUsd(spent)}</span> of{" "}
          <span className="tabular-nums">{formatUsd(limit)}</span> this month
        </span>
        <span className="text-zinc-500">{estimateUsd === null ? `this job: ${PRICE_NOT_PUBLISHED.toLowerCase()}` : null}</span>
      </p>
      <BudgetMeter spent={spent} limit={limit} over={over} className="h-1" />
    </div>
  );
}

export function SubmitBar({
  label,
  priceUsd,
  providerLabel,
  isDemo,
  pending,
  disabled,
  blocked,
  error,
  budget,
  side,
  above,
  below,
}: {
  label: string;
  /** null: the provider publishes no price for this model. */
  priceUsd: number | null;
  providerLabel: string;
  isDemo: boolean;
  pending: boolean;
  disabled: boolean;
  /** Why this recipe can't run as it stands; disables the button and says so beside it. */
  blocked?: string | null;
  error: string | null;
  budget?: Budget;
  /** Next to the submit button (the fan-out toggle). */
  side?: ReactNode;
  /** Above the button (the fan-out panel). */
  above?: ReactNode;
  /** Under the button (what the last submit started). */
  below?: ReactNode;
}) {
  // The platform is only known in the browser; render the neutral hint on the server.
  const [mod, setMod] = useState("Ctrl");
  useEffect(() => {
    if (/Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)) setMod("⌘");
  }, []);

  return (
    <div className="space-y-2.5">
      {above}
      {/* The price sits beside the provider, not in the button, so a long "Price not published" never wraps the button. */}
      <div className="flex items-center justify-between gap-2 text-xs" data-testid="submit-meta">
        <span
          className={`inline-flex min-w-0 items-center gap-1.5 truncate rounded-full px-2 py-0.5 font-medium ring-1 ring-inset ${
            isDemo ? "bg-zinc-800 text-zinc-300 ring-zinc-700" : "bg-accent-400/10 text-accent-300 ring-accent-400/25"
          }`}
          data-testid="provider-badge"
        >
          <span aria-hidden="true" className={`size-1.5 shrink-0 rounded-full ${isDemo ? "bg-zinc-400" : "bg-accent-400"}`} />
          {providerLabel}
        </span>
        <span
          className={`shrink-0 whitespace-nowrap tabular-nums ${priceUsd === null ? "text-zinc-500" : "font-semibold text-zinc-200"}`}
          title="What this job is estimated to cost"
          data-testid="price"
        >
          {priceText(priceUsd)}
        </span>
      </div>
      <BudgetLine budget={budget} estimateUsd={priceUsd} />
      <div className="flex gap-2" data-testid="submit-row">
        <button
          type="submit"
          disabled={disabled || pending || Boolean(blocked)}
          aria-keyshortcuts="Control+Enter Meta+Enter"
          aria-describedby={blocked ? "submit-blocked" : undefined}
          className="flex h-11 min-w-0 flex-1 items-center justify-between gap-3 whitespace-nowrap rounded-xl bg-accent-400 px-4 text-sm font-semibold text-ink shadow-[0_1px_0_rgb(255_255_255/0.25)_inset] transition-colors hover:bg-accent-300 focus-visible:outline-offset-3 active:bg-accent-500 disabled:cursor-not-allowed disabled:bg-zinc-800 disabled:text-zinc-500 disabled:shadow-none"
        >
          <span className="flex min-w-0 items-center gap-2">
            {pending ? <Spinner /> : null}
            <span className="truncate">{pending ? "Submitting…" : label}</span>
          </span>
          <kbd
            className="hidden shrink-0 rounded border border-ink/15 px-1.5 py-px font-sans text-[11px] font-medium text-ink/60 sm:inline"
            aria-hidden="true"
            title={`${mod === "⌘" ? "Cmd" : "Ctrl"}+Enter submits from anywhere in the form`}
          >
            {mod === "⌘" ? "⌘ ↵" : "Ctrl ↵"}
          </kbd>
        </button>
        {side}
      </div>
      {blocked ? (
        <p id="submit-blocked" aria-live="polite" data-testid="submit-blocked" className="flex items-start gap-1.5 text-[13px] leading-snug text-zinc-300">
          <AlertIcon className="mt-px size-3.5 shrink-0 text-accent-300" />
          <span>{blocked}</span>
        </p>
      ) : null}
      {error ? (
        <p role="alert" id="submit-error" className="flex items-start gap-1.5 text-[13px] leading-snug text-red-300">
          <AlertIcon className="mt-px size-3.5 shrink-0" />
          <span>{error}</span>
        </p>
      ) : null}
      {below}
    </div>
  );
}
