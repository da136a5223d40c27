"use client";

import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { ActionError } from "../ui/action-error";
import { buttonPrimary } from "../ui/button-styles";
import { Spinner } from "../ui/icons";
import { InviteLink } from "./invite-link";
import { addPerson, type Invitation, teamKeys } from "./team-api";

/** The server's EMAIL_MAX_LENGTH (lib/accounts.ts is server-only). */
const EMAIL_MAX = 254;

/**
 * Adds a person and shows their invite link once. Without accounts yet (`first`), this makes
 * the first account, an admin, and turns team mode on: from then on this browser must sign in
 * too, so nothing is read again after it.
 */
export function AddPerson({ first, onFirstAdded }: { first: boolean; onFirstAdded?: () => void }) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [admin, setAdmin] = useState(first);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ invitation: Invitation; first: boolean } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const invitation = await addPerson(email.trim(), first || admin ? "admin" : "member");
      setCreated({ invitation, first });
      setEmail("");
      setAdmin(false);
      if (first) onFirstAdded?.();
      else void queryClient.invalidateQueries({ queryKey: teamKeys.all });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  }

  if (created?.first) return <InviteLink invitation={created.invitation} reason="first" />;

  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-label="Add a person">
        <div className="min-w-56 flex-1 sm:max-w-sm">
          <label htmlFor="person-email" className="mb-1 block text-xs text-zinc-500">
            {first ? "Your email" : "Email"}
          </label>
          <input
            id="person-email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            maxLength={EMAIL_MAX}
            autoComplete="off"
            placeholder={first ? "you@studio.example" : "name@studio.example"}
            aria-invalid={Boolean(error)}
            className="field h-9 py-0"
          />
        </div>
        <label className="flex h-9 items-center gap-2 text-sm text-zinc-300">
          <input
            type="checkbox"
            checked={first || admin}
            disabled={first}
            onChange={(e) => setAdmin(e.target.checked)}
            className="size-4 accent-[var(--color-accent-400)]"
          />
          Admin
        </label>
        <button type="submit" disabled={pending || !email.trim()} className={buttonPrimary}>
          {pending ? <Spinner className="size-3.5" /> : null}
          {first ? "Add me as admin" : "Add person"}
        </button>
        <ActionError message={error} />
      </form>
      {created ? <InviteLink invitation={created.invitation} reason="added" onDone={() => setCreated(null)} /> : null}
    </div>
  );
}
