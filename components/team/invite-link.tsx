"use client";

import { buttonGhost } from "../ui/button-styles";
import { CopyButton } from "../ui/copy-button";
import { AlertIcon } from "../ui/icons";
import type { Invitation } from "./team-api";

/** Why the link was made, which changes what it means for the person. */
export type InviteReason = "added" | "reset" | "first";

/**
 * A fresh invite link, shown this once (only its hash is stored). It is shown only after a
 * click, never in the server render, so reading window.location here is safe.
 */
export function InviteLink({ invitation, reason, onDone }: { invitation: Invitation; reason: InviteReason; onDone?: () => void }) {
  const url = window.location.origin + invitation.path;
  const email = invitation.account.email;
  return (
    <div role="status" className="rounded-xl border border-accent-400/40 bg-accent-400/10 p-4" data-testid="invite-link">
      <p className="flex items-center gap-2 text-sm font-medium text-accent-300">
        <AlertIcon className="size-4 shrink-0" />
        {reason === "first" ? "Team mode is on. Open your link now to set your password." : `Copy ${email}'s link now: it won't be shown again.`}
      </p>
      <div className="mt-3 flex items-center gap-1 rounded-lg border border-zinc-700 bg-zinc-950 py-1 pl-3 pr-1">
        <code className="min-w-0 flex-1 select-all break-all font-mono text-[13px] text-zinc-100" data-testid="invite-url">
          {url}
        </code>
        <CopyButton text={url} label="Copy invite link" />
      </div>
      <p className="mt-2 text-xs leading-relaxed text-zinc-400">
        Valid 48 hours, once. {email} opens it to set {reason === "first" ? "your" : "their"} password.
        {reason === "reset" ? " Their old password no longer works, and they were signed out everywhere." : null}
        {reason === "first" ? (
          <>
            {" "}
            Sign-in is now by email and password; the shared password no longer works, and this browser signs in with your new password too.{" "}
            <a href={invitation.path} className="font-medium text-accent-300 underline underline-offset-2 hover:text-accent-200">
              Open it here
            </a>
            .
          </>
        ) : null}
      </p>
      {onDone ? (
        <div className="mt-3 flex justify-end">
          <button type="button" onClick={onDone} className={buttonGhost}>
            Done
          </button>
        </div>
      ) : null}
    </div>
  );
}
