"use client";

import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { formatUsd } from "@/lib/client/format";
import { ActionError } from "../ui/action-error";
import { buttonSecondary } from "../ui/button-styles";
import { Spinner } from "../ui/icons";
import { type TeamMember, teamKeys, updatePerson } from "./team-api";

/** The server's ceiling for one person's limit (lib/accounts.ts). */
const LIMIT_MAX = 1_000_000;

/** One person's own monthly limit in USD; empty means the default (ATELIER_BUDGET_USD_PER_USER, or none). */
export function LimitField({ member, defaultLimitUsd }: { member: TeamMember; defaultLimitUsd: number | null }) {
  const queryClient = useQueryClient();
  const saved = member.budgetUsd === null ? "" : String(member.budgetUsd);
  const [value, setValue] = useState(saved);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = `limit-${member.id}`;

  async function save(event: FormEvent) {
    event.preventDefault();
    const budgetUsd = value.trim() === "" ? null : Number(value);
    if (budgetUsd !== null && (!Number.isFinite(budgetUsd) || budgetUsd < 0)) {
      setError("Enter an amount of 0 or more, or leave it empty for the default.");
      return;
    }
    setPending(true);
    setError(null);
    try {
      const account = await updatePerson(member.id, { budgetUsd });
      setValue(account.budgetUsd === null ? "" : String(account.budgetUsd));
      await queryClient.invalidateQueries({ queryKey: teamKeys.all });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={save} className="flex flex-wrap items-end gap-2" aria-label={`Monthly limit for ${member.email}`}>
      <div>
        <label htmlFor={id} className="mb-1 block text-xs text-zinc-500">
          Monthly limit (USD)
        </label>
        <input
          id={id}
          type="number"
          inputMode="decimal"
          min={0}
          max={LIMIT_MAX}
          step="any"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder={defaultLimitUsd === null ? "No limit" : `Default ${formatUsd(defaultLimitUsd)}`}
          aria-invalid={Boolean(error)}
          className="field h-9 w-36 py-0 tabular-nums"
        />
      </div>
      {value !== saved ? (
        <button type="submit" disabled={pending} className={buttonSecondary}>
          {pending ? <Spinner className="size-3.5" /> : null}
          Save
        </button>
      ) : null}
      <ActionError message={error} />
    </form>
  );
}
