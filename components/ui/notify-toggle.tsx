"use client";

import { useEffect, useState } from "react";
import { NOTIFY_KEY } from "@/lib/client/finish-toasts";

type Choice = "on" | "off" | "blocked";

const current = (): Choice =>
  Notification.permission === "denied" ? "blocked" : Notification.permission === "granted" && localStorage.getItem(NOTIFY_KEY) === "on" ? "on" : "off";

/** Opt-in desktop notifications for jobs that finish while the tab is in the background. */
export function NotifyToggle() {
  const [choice, setChoice] = useState<Choice | null>(null);
  useEffect(() => setChoice(typeof Notification === "undefined" ? null : current()), []);
  if (choice === null) return null;

  const toggle = async () => {
    if (choice === "on") localStorage.setItem(NOTIFY_KEY, "off");
    else if ((await Notification.requestPermission()) === "granted") localStorage.setItem(NOTIFY_KEY, "on");
    setChoice(current());
  };
  const label =
    choice === "on"
      ? "Desktop notifications are on: turn them off"
      : choice === "blocked"
        ? "Notifications are blocked for this site in the browser's settings"
        : "Notify me when a job finishes in a background tab";
  return (
    <button
      type="button"
      onClick={() => void toggle()}
      disabled={choice === "blocked"}
      aria-label="Desktop notifications"
      aria-pressed={choice === "on"}
      title={label}
      data-testid="notify-toggle"
      className="flex size-9 items-center justify-center rounded-lg text-zinc-400 transition-colors hover:bg-zinc-800/70 hover:text-zinc-100 disabled:opacity-40 aria-pressed:text-accent-300"
    >
      <svg viewBox="0 0 24 24" className="size-[18px]" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
        <path d="M6 16V11a6 6 0 1 1 12 0v5l1.5 2h-15L6 16Z" />
        <path d="M10 20.5a2 2 0 0 0 4 0" />
        {choice === "on" ? null : <path d="M4 4l16 16" />}
      </svg>
    </button>
  );
}
