"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { ActionError } from "../ui/action-error";
import { buttonGhost, buttonSecondary } from "../ui/button-styles";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { Spinner } from "../ui/icons";
import { LocalTime } from "../ui/local-time";
import { useAction } from "../ui/use-action";
import { accountKeys, endAllSessions, endSession, fetchSessions, type SessionDto } from "./account-api";

/** The browsers signed in with the password, and the ways to end them. */
export function SignedInDevices() {
  const sessions = useQuery({ queryKey: accountKeys.sessions, queryFn: fetchSessions });
  const [confirming, setConfirming] = useState(false);
  const { run: signOutEverywhere, pending, error, setError } = useAction(
    async () => {
      await endAllSessions();
      // This browser's session ended with the rest: a full load, so nothing cached outlives it.
      window.location.assign("/login");
    },
    { leaves: true },
  );

  return (
    <>
      {sessions.isPending ? (
        <p className="flex items-center gap-2 px-4 py-6 text-sm text-zinc-500 sm:px-5">
          <Spinner className="size-3.5" /> Loading sessions…
        </p>
      ) : sessions.isError ? (
        <p role="alert" className="px-4 py-6 text-sm text-red-300 sm:px-5">
          {errorMessage(sessions.error)}
        </p>
      ) : (
        <ul className="divide-y divide-zinc-800/60 border-y border-zinc-800" aria-label="Signed-in devices">
          {sessions.data.map((session) => (
            <SessionRow key={session.id} session={session} />
          ))}
        </ul>
      )}
      <div className="flex flex-wrap items-center gap-3 px-4 py-4 sm:px-5">
        <button type="button" onClick={() => setConfirming(true)} className={buttonSecondary}>
          Sign out everywhere
        </button>
        <span className="text-xs text-zinc-500">Ends every session, this one too. API tokens keep working.</span>
      </div>
      <ConfirmDialog
        open={confirming}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        busy={pending}
        error={error}
        onConfirm={signOutEverywhere}
        onCancel={() => {
          setConfirming(false);
          setError(null);
        }}
      >
        Every browser signed in to this studio, this one included, will need the password again.
      </ConfirmDialog>
    </>
  );
}

function SessionRow({ session }: { session: SessionDto }) {
  const queryClient = useQueryClient();
  // Gone or not, the list shows what the server holds now.
  const { run: signOut, pending, error } = useAction(() => endSession(session.id), {
    settled: () => void queryClient.invalidateQueries({ queryKey: accountKeys.sessions }),
  });

  return (
    <li className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3 sm:px-5" data-testid="session-row">
      <div className="min-w-0 flex-1">
        <p className="flex items-center gap-2 text-sm font-medium text-zinc-100">
          {session.device}
          {session.current ? (
            <span className="rounded-full bg-accent-400/10 px-2 py-0.5 text-xs font-medium text-accent-300 ring-1 ring-inset ring-accent-400/40">
              This device
            </span>
          ) : null}
        </p>
        <p className="mt-0.5 text-xs text-zinc-500">
          Last seen <LocalTime iso={session.lastSeenAt} /> · signed in <LocalTime iso={session.createdAt} />
        </p>
      </div>
      <ActionError message={error} />
      {session.current ? null : (
        <button type="button" onClick={signOut} disabled={pending} aria-label={`Sign out ${session.device}`} className={buttonGhost}>
          {pending ? <Spinner className="size-3.5" /> : null}
          Sign out
        </button>
      )}
    </li>
  );
}
