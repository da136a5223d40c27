"use client";

import Link from "next/link";
import { useEffect, useSyncExternalStore } from "react";
import { finishToasts } from "@/lib/client/finish-toasts";
import { AlertIcon, CheckIcon, CloseIcon } from "./icons";

/** The toasts for jobs that finished while the tab was hidden; shown when the designer returns. */
export function FinishToasts() {
  const { shown } = useSyncExternalStore(finishToasts.subscribe, finishToasts.snapshot, finishToasts.serverSnapshot);

  useEffect(() => {
    const onVisible = () => {
      if (!document.hidden) finishToasts.reveal();
    };
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("focus", onVisible);
    return () => {
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("focus", onVisible);
    };
  }, []);

  return (
    <section
      aria-label="Finished while you were away"
      aria-live="polite"
      className="pointer-events-none fixed right-4 top-[4.25rem] z-50 flex w-[min(22rem,calc(100vw-2rem))] flex-col gap-2"
    >
      {shown.length > 1 ? (
        <button
          type="button"
          onClick={finishToasts.dismissAll}
          className="pointer-events-auto self-end rounded-md bg-zinc-900/90 px-2 py-1 text-xs text-zinc-300 ring-1 ring-zinc-800 backdrop-blur hover:text-zinc-50"
        >
          Dismiss all
        </button>
      ) : null}
      {shown.map((toast) => {
        const ok = toast.status === "succeeded";
        return (
          <div
            key={toast.jobId}
            role="status"
            data-testid="finish-toast"
            className="toast-in pointer-events-auto flex items-start gap-3 rounded-xl border border-zinc-800 bg-zinc-900/95 p-2.5 pr-2 shadow-xl shadow-black/20 backdrop-blur"
          >
            <span className="checker flex size-12 shrink-0 items-center justify-center overflow-hidden rounded-lg ring-1 ring-zinc-800">
              {toast.thumb ? (
                <img src={toast.thumb.url} alt="" width={toast.thumb.width} height={toast.thumb.height} className="size-full object-cover" />
              ) : ok ? (
                <CheckIcon className="size-4 text-emerald-300" />
              ) : (
                <AlertIcon className="size-4 text-red-300" />
              )}
            </span>
            <div className="min-w-0 flex-1">
              <p className={`text-xs font-semibold ${ok ? "text-emerald-300" : toast.status === "failed" ? "text-red-300" : "text-zinc-300"}`}>
                {ok ? "Finished" : toast.status === "failed" ? "Failed" : "Canceled"}
              </p>
              <p className="mt-0.5 line-clamp-2 text-[13px] leading-snug text-zinc-100">{toast.prompt}</p>
              {toast.message && !ok ? <p className="mt-0.5 line-clamp-2 text-xs text-red-300">{toast.message}</p> : null}
              <Link
                href={`/jobs/${toast.jobId}`}
                onClick={() => finishToasts.dismiss(toast.jobId)}
                className="mt-1 inline-block rounded text-xs font-medium text-accent-300 hover:underline"
              >
                Open
              </Link>
            </div>
            <button
              type="button"
              onClick={() => finishToasts.dismiss(toast.jobId)}
              className="rounded-md p-1 text-zinc-500 hover:bg-zinc-800 hover:text-zinc-200"
              aria-label="Dismiss"
            >
              <CloseIcon className="size-3.5" />
            </button>
          </div>
        );
      })}
    </section>
  );
}
