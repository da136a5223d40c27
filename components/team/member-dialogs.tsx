"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { type Invitation, removePerson, resetPerson, type TeamMember, teamKeys } from "./team-api";

/** A new invite link for someone who lost their password; the link is shown by the caller, once. */
export function ResetDialog({ member, onClose, onDone }: { member: TeamMember; onClose: () => void; onDone: (invitation: Invitation) => void }) {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function reset() {
    setPending(true);
    setError(null);
    try {
      const invitation = await resetPerson(member.id);
      void queryClient.invalidateQueries({ queryKey: teamKeys.all });
      onDone(invitation);
    } catch (e) {
      setError(errorMessage(e));
      setPending(false);
    }
  }

  return (
    <ConfirmDialog open tone="accent" title={`Reset ${member.email}?`} confirmLabel="Reset and make a link" busy={pending} error={error} onConfirm={reset} onCancel={onClose}>
      Their password stops working and they are signed out everywhere at once. You get a new invite link, valid 48 hours, where they set a new
      password.
    </ConfirmDialog>
  );
}

export function RemoveDialog({ member, onClose }: { member: TeamMember; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function remove() {
    setPending(true);
    setError(null);
    try {
      await removePerson(member.id);
      await queryClient.invalidateQueries({ queryKey: teamKeys.all });
      onClose();
    } catch (e) {
      setError(errorMessage(e));
      setPending(false);
    }
  }

  return (
    <ConfirmDialog open title={`Remove ${member.email}?`} confirmLabel="Remove" busy={pending} error={error} onConfirm={remove} onCancel={onClose}>
      They are signed out everywhere at once, and their API tokens and invite links stop working. Everything they made stays in the history under
      their name.
    </ConfirmDialog>
  );
}
