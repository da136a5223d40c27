"use client";

import { type ReactNode, useEffect, useId, useRef } from "react";
import { Spinner } from "./icons";

/**
 * A modal question on the native <dialog>: focus is trapped and Escape cancels for free,
 * and focus returns to where it was when it closes.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = "Cancel",
  tone = "danger",
  busy = false,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  tone?: "danger" | "accent";
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      const previous = document.activeElement as HTMLElement | null;
      dialog.showModal();
      cancelRef.current?.focus();
      return () => {
        if (dialog.open) dialog.close();
        previous?.focus?.();
      };
    }
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself) cancels.
        if (event.target === ref.current && !busy) onCancel();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-2xl border border-zinc-800 bg-zinc-900 p-0 text-zinc-100 shadow-2xl shadow-black/40"
    >
      <div className="p-5">
        <h2 id={titleId} className="text-base font-semibold text-zinc-50">
          {title}
        </h2>
        <div id={bodyId} className="mt-2 text-sm leading-relaxed text-zinc-400">
          {children}
        </div>
        {error ? (
          <p role="alert" className="mt-3 text-[13px] text-red-300">
            {error}
          </p>
        ) : null}
      </div>
      <div className="flex justify-end gap-2 border-t border-zinc-800 bg-zinc-950/40 px-5 py-3">
        <button
          ref={cancelRef}
          type="button"
          onClick={onCancel}
          disabled={busy}
          className="h-9 rounded-lg border border-zinc-700 px-3.5 text-sm text-zinc-200 hover:bg-zinc-800 disabled:opacity-60"
        >
          {cancelLabel}
        </button>
        <button
          type="button"
          onClick={onConfirm}
          disabled={busy}
          className={`inline-flex h-9 items-center gap-2 rounded-lg px-3.5 text-sm font-semibold disabled:opacity-70 ${
            tone === "danger" ? "bg-red-600 text-white hover:bg-red-500" : "bg-accent-400 text-ink hover:bg-accent-300"
          }`}
        >
          {busy ? <Spinner className="size-3.5" /> : null}
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
