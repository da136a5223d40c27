"use client";

import type { JobDto } from "@/lib/dto";

/**
 * Jobs that finished while the tab was in the background. Each one bumps a count in the
 * tab title ("(2) Atelier"); when the designer comes back, they show as a stack of toasts
 * and the title is restored. A job that finishes while the tab is visible shows on its
 * live card already, so it is not repeated here. A designer who opted in (components/ui/
 * notify-toggle) also gets a desktop notification.
 */
export type FinishToast = {
  jobId: string;
  prompt: string;
  status: JobDto["status"];
  thumb: { url: string; width: number; height: number } | null;
  message: string | null;
};

type State = { pending: FinishToast[]; shown: FinishToast[] };

let state: State = { pending: [], shown: [] };
const listeners = new Set<() => void>();
const TITLE_COUNT = /^\(\d+\)\s+/;
/** localStorage: "on" once the designer asked for desktop notifications. */
export const NOTIFY_KEY = "atelier.notify";

function emit(next: State) {
  state = next;
  for (const listener of listeners) listener();
}

function setTitleCount(count: number) {
  const base = document.title.replace(TITLE_COUNT, "");
  document.title = count > 0 ? `(${count}) ${base}` : base;
}

export const finishToasts = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  snapshot: (): State => state,
  serverSnapshot: (): State => EMPTY,

  /** Call when a watched job leaves queued/running. */
  finished(job: JobDto): void {
    if (typeof document === "undefined" || !document.hidden) return;
    if (state.pending.some((t) => t.jobId === job.id) || state.shown.some((t) => t.jobId === job.id)) return;
    const output = job.outputs[0];
    const toast: FinishToast = {
      jobId: job.id,
      prompt: job.prompt,
      status: job.status,
      thumb: output ? { url: output.thumbUrl, width: output.width, height: output.height } : null,
      message: job.error?.message ?? null,
    };
    emit({ ...state, pending: [...state.pending, toast] });
    setTitleCount(state.pending.length);
    notifyDesktop(toast);
  },

  /** The tab is visible again: show what piled up and clear the title count. */
  reveal(): void {
    setTitleCount(0);
    if (state.pending.length === 0) return;
    emit({ pending: [], shown: [...state.shown, ...state.pending].slice(-6) });
  },

  dismiss(jobId: string): void {
    emit({ ...state, shown: state.shown.filter((t) => t.jobId !== jobId) });
  },

  dismissAll(): void {
    emit({ ...state, shown: [] });
  },
};

function notifyDesktop(toast: FinishToast) {
  if (typeof Notification === "undefined" || Notification.permission !== "granted" || localStorage.getItem(NOTIFY_KEY) !== "on") return;
  const title = toast.status === "succeeded" ? "Your image is ready" : toast.status === "failed" ? "A job failed" : "A job was canceled";
  const notification = new Notification(title, { body: toast.prompt.slice(0, 140), tag: toast.jobId, icon: toast.thumb?.url });
  notification.onclick = () => {
    window.focus();
    notification.close();
  };
}

const EMPTY: State = { pending: [], shown: [] };
