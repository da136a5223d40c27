"use client";

import { type ReactNode, useEffect, useId, useRef, useState } from "react";

/**
 * A button that opens a small panel under it. Escape or a press outside closes it and
 * focus goes back to the button; the panel's first control takes focus when it opens.
 */
export function Popover({
  label,
  trigger,
  triggerClassName,
  panelLabel,
  align = "end",
  children,
}: {
  /** The button's accessible name. */
  label: string;
  trigger: ReactNode;
  triggerClassName: string;
  panelLabel: string;
  align?: "start" | "end";
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return;
    const first = ["[data-autofocus]", "input:checked", "button, a[href], input, textarea"]
      .map((selector) => panel.current?.querySelector<HTMLElement>(selector))
      .find(Boolean);
    (first ?? panel.current)?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!wrapper.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  return (
    <div ref={wrapper} className="relative">
      <button
        ref={button}
        type="button"
        aria-label={label}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-haspopup="dialog"
        onClick={() => setOpen((v) => !v)}
        className={triggerClassName}
      >
        {trigger}
      </button>
      {open ? (
        <div
          ref={panel}
          id={id}
          role="dialog"
          aria-label={panelLabel}
          tabIndex={-1}
          className={`absolute top-full z-40 mt-2 rounded-xl border border-zinc-700/80 bg-zinc-900/95 p-3 shadow-2xl shadow-black/50 outline-none backdrop-blur ${
            align === "end" ? "right-0" : "left-0"
          }`}
        >
          {children(close)}
        </div>
      ) : null}
    </div>
  );
}
