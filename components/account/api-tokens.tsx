"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { ActionError } from "../ui/action-error";
import { buttonGhost, buttonPrimary } from "../ui/button-styles";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { CopyButton } from "../ui/copy-button";
import { AlertIcon, Spinner, TrashIcon } from "../ui/icons";
import { LocalTime } from "../ui/local-time";
import { useAction } from "../ui/use-action";
import { accountKeys, type CreatedToken, createToken, deleteToken, fetchTokens, type TokenDto } from "./account-api";

/** The server's TOKEN_NAME_MAX_LENGTH (lib/api-tokens.ts is server-only), so the field stops where the API would refuse. */
const NAME_MAX = 100;

/** Named tokens for scripts: create one (its secret shown this once), list them, delete them. */
export function ApiTokens() {
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: accountKeys.tokens, queryFn: fetchTokens });
  const [name, setName] = useState("");
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [deleting, setDeleting] = useState<TokenDto | null>(null);
  const { run: create, pending, error } = useAction(async (event: FormEvent) => {
    event.preventDefault();
    setCreated(await createToken(name.trim()));
    setName("");
    void queryClient.invalidateQueries({ queryKey: accountKeys.tokens });
  });

  return (
    <>
      <form onSubmit={create} className="flex flex-wrap items-end gap-2 px-4 pb-4 sm:px-5" aria-label="New API token">
        <div className="min-w-56 flex-1 sm:max-w-sm">
          <label htmlFor="token-name" className="mb-1 block text-xs text-zinc-500">
            Name
          </label>
          <input
            id="token-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={NAME_MAX}
            placeholder="e.g. nightly backup script"
            aria-invalid={Boolean(error)}
            className="field h-9 py-0"
          />
        </div>
        <button type="submit" disabled={pending || !name.trim()} className={buttonPrimary}>
          {pending ? <Spinner className="size-3.5" /> : null}
          Create
        </button>
        <ActionError message={error} />
      </form>

      {created ? (
        <div role="status" className="mx-4 mb-4 rounded-xl border border-accent-400/40 bg-accent-400/10 p-4 sm:mx-5" data-testid="new-token">
          <p className="flex items-center gap-2 text-sm font-medium text-accent-300">
            <AlertIcon className="size-4 shrink-0" />
            Copy &ldquo;{created.name}&rdquo; now: it won&apos;t be shown again.
          </p>
          <div className="mt-3 flex items-center gap-1 rounded-lg border border-zinc-700 bg-zinc-950 py-1 pl-3 pr-1">
            <code className="min-w-0 flex-1 select-all break-all font-mono text-[13px] text-zinc-100" data-testid="new-token-value">
              {created.token}
            </code>
            <CopyButton text={created.token} label="Copy token" />
          </div>
          <div className="mt-3 flex justify-end">
            <button type="button" onClick={() => setCreated(null)} className={buttonGhost}>
              Done
            </button>
          </div>
        </div>
      ) : null}

      {tokens.isPending ? (
        <p className="flex items-center gap-2 border-t border-zinc-800 px-4 py-6 text-sm text-zinc-500 sm:px-5">
          <Spinner className="size-3.5" /> Loading tokens…
        </p>
      ) : tokens.isError ? (
        <p role="alert" className="border-t border-zinc-800 px-4 py-6 text-sm text-red-300 sm:px-5">
          {errorMessage(tokens.error)}
        </p>
      ) : tokens.data.length === 0 ? (
        <p className="border-t border-zinc-800 px-4 py-6 text-center text-sm text-zinc-500 sm:px-5">No API tokens yet.</p>
      ) : (
        <ul className="divide-y divide-zinc-800/60 border-t border-zinc-800" aria-label="API tokens">
          {tokens.data.map((token) => (
            <li key={token.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3 sm:px-5" data-testid="token-row">
              <div className="min-w-0 flex-1">
                <p className="truncate text-sm font-medium text-zinc-100">{token.name}</p>
                <p className="mt-0.5 text-xs text-zinc-500">
                  Created <LocalTime iso={token.createdAt} /> · {token.lastUsedAt ? <>last used <LocalTime iso={token.lastUsedAt} /></> : "never used"}
                </p>
              </div>
              <button type="button" onClick={() => setDeleting(token)} aria-label={`Delete ${token.name}`} className={buttonGhost}>
                <TrashIcon className="size-3.5" />
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}

      {deleting ? <DeleteTokenDialog token={deleting} onClose={() => setDeleting(null)} /> : null}
    </>
  );
}

function DeleteTokenDialog({ token, onClose }: { token: TokenDto; onClose: () => void }) {
  const queryClient = useQueryClient();
  const { run: remove, pending, error } = useAction(
    async () => {
      await deleteToken(token.id);
      await queryClient.invalidateQueries({ queryKey: accountKeys.tokens });
      onClose();
    },
    { leaves: true },
  );

  return (
    <ConfirmDialog open title={`Delete “${token.name}”?`} confirmLabel="Delete token" busy={pending} error={error} onConfirm={remove} onCancel={onClose}>
      Scripts that use it are refused from now on. This can&apos;t be undone.
    </ConfirmDialog>
  );
}
