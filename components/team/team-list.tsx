"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { formatUsd } from "@/lib/client/format";
import { ActionError } from "../ui/action-error";
import { buttonGhost } from "../ui/button-styles";
import { BudgetMeter } from "../ui/budget-meter";
import { RerunIcon, Spinner, TrashIcon } from "../ui/icons";
import { LimitField } from "./limit-field";
import { RemoveDialog, ResetDialog } from "./member-dialogs";
import { fetchTeam, type Invitation, type Role, type Team, type TeamMember, teamKeys, updatePerson } from "./team-api";
import { InviteLink } from "./invite-link";

const STATUS_STYLE: Record<TeamMember["status"], string> = {
  active: "bg-emerald-500/10 text-emerald-300 ring-emerald-500/25",
  invited: "bg-accent-400/10 text-accent-300 ring-accent-400/30",
  removed: "bg-zinc-800/60 text-zinc-400 ring-zinc-700",
};

/** Everyone with an account: status, this month's spend against their limit, and what an admin can change. */
export function TeamList({ initial, selfId }: { initial: Team; selfId: string | null }) {
  const team = useQuery({ queryKey: teamKeys.all, queryFn: ({ signal }) => fetchTeam(signal), initialData: initial });
  const [resetting, setResetting] = useState<TeamMember | null>(null);
  const [removing, setRemoving] = useState<TeamMember | null>(null);
  const [resetLink, setResetLink] = useState<Invitation | null>(null);

  if (team.isError) {
    return (
      <p role="alert" className="border-t border-zinc-800 px-4 py-6 text-sm text-red-300 sm:px-5">
        {errorMessage(team.error)}
      </p>
    );
  }
  const { accounts, defaultLimitUsd } = team.data;
  return (
    <>
      {resetLink ? (
        <div className="px-4 pb-4 sm:px-5">
          <InviteLink invitation={resetLink} reason="reset" onDone={() => setResetLink(null)} />
        </div>
      ) : null}
      {accounts.length === 0 ? (
        <p className="border-t border-zinc-800 px-4 py-6 text-center text-sm text-zinc-500 sm:px-5">No accounts yet.</p>
      ) : (
        <ul className="divide-y divide-zinc-800/60 border-t border-zinc-800" aria-label="People">
          {accounts.map((member) => (
            <MemberRow
              key={member.id}
              member={member}
              self={member.id === selfId}
              defaultLimitUsd={defaultLimitUsd}
              onReset={() => setResetting(member)}
              onRemove={() => setRemoving(member)}
            />
          ))}
        </ul>
      )}
      {resetting ? (
        <ResetDialog
          member={resetting}
          onClose={() => setResetting(null)}
          onDone={(invitation) => {
            setResetting(null);
            setResetLink(invitation);
          }}
        />
      ) : null}
      {removing ? <RemoveDialog member={removing} onClose={() => setRemoving(null)} /> : null}
    </>
  );
}

function MemberRow({
  member,
  self,
  defaultLimitUsd,
  onReset,
  onRemove,
}: {
  member: TeamMember;
  self: boolean;
  defaultLimitUsd: number | null;
  onReset: () => void;
  onRemove: () => void;
}) {
  const queryClient = useQueryClient();
  const [roleError, setRoleError] = useState<string | null>(null);
  const [rolePending, setRolePending] = useState(false);
  const removed = member.status === "removed";
  const limit = member.limitUsd;
  const over = limit !== null && member.spentThisMonthUsd >= limit;

  async function changeRole(role: Role) {
    setRolePending(true);
    setRoleError(null);
    try {
      await updatePerson(member.id, { role });
      await queryClient.invalidateQueries({ queryKey: teamKeys.all });
    } catch (e) {
      setRoleError(errorMessage(e));
    } finally {
      setRolePending(false);
    }
  }

  return (
    <li className={`grid gap-x-6 gap-y-3 px-4 py-4 sm:px-5 lg:grid-cols-[minmax(0,1fr)_17rem_11rem] lg:items-center ${removed ? "opacity-60" : ""}`} data-testid="team-row" data-email={member.email}>
      <div className="min-w-0">
        <p className="flex flex-wrap items-center gap-2">
          <span className="truncate text-sm font-medium text-zinc-100">{member.email}</span>
          {self ? <span className="text-xs text-zinc-500">(you)</span> : null}
          <span className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STATUS_STYLE[member.status]}`} data-col="status">
            {member.status === "invited" ? "Invited" : member.status === "removed" ? "Removed" : "Active"}
          </span>
        </p>
        <p className="mt-1 text-xs text-zinc-500">
          <span className="tabular-nums text-zinc-300" data-col="spent">
            {formatUsd(member.spentThisMonthUsd)}
          </span>{" "}
          this month
          {limit !== null ? (
            <>
              {" "}
              of <span className="tabular-nums">{formatUsd(limit)}</span>
              {member.budgetUsd === null ? " (default)" : ""}
            </>
          ) : (
            " · no limit"
          )}
          {!removed ? ` · ${member.sessions} ${member.sessions === 1 ? "session" : "sessions"}` : null}
        </p>
        {limit !== null && !removed ? <BudgetMeter spent={member.spentThisMonthUsd} limit={limit} over={over} className="mt-1.5 h-1 max-w-56" /> : null}
      </div>

      {removed ? (
        <p className="text-xs text-zinc-500 lg:col-span-2">Add the email again to invite them back. Their work stays in the history.</p>
      ) : (
        <>
          <div className="flex flex-wrap items-end gap-3">
            <div>
              <label htmlFor={`role-${member.id}`} className="mb-1 block text-xs text-zinc-500">
                Role
              </label>
              <select
                id={`role-${member.id}`}
                value={member.role}
                disabled={rolePending}
                onChange={(e) => void changeRole(e.target.value as Role)}
                className="field h-9 w-28 py-0"
              >
                <option value="member">Member</option>
                <option value="admin">Admin</option>
              </select>
            </div>
            <LimitField member={member} defaultLimitUsd={defaultLimitUsd} />
          </div>
          <div className="flex items-center gap-1 lg:justify-end">
            {rolePending ? <Spinner className="size-3.5" /> : null}
            {self ? (
              <span className="text-xs text-zinc-500">Another admin can reset or remove you.</span>
            ) : (
              <>
                <button type="button" onClick={onReset} className={buttonGhost} aria-label={`Reset ${member.email}`}>
                  <RerunIcon className="size-3.5" />
                  Reset
                </button>
                <button type="button" onClick={onRemove} className={buttonGhost} aria-label={`Remove ${member.email}`}>
                  <TrashIcon className="size-3.5" />
                  Remove
                </button>
              </>
            )}
          </div>
          {roleError ? (
            <div className="lg:col-span-3">
              <ActionError message={roleError} />
            </div>
          ) : null}
        </>
      )}
    </li>
  );
}
