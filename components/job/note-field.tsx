"use client";

import { useCallback, useEffect, useId, useRef, useState } from "react";
import type { OutputRef } from "@/lib/dto";
import { errorMessage, updateImageMeta } from "@/lib/client/api";
import { NOTE_LIMIT } from "@/lib/client/constants";

/** Long enough not to send every keystroke, short enough that a reload rarely beats it. */
const SAVE_DELAY_MS = 600;

type Status = "idle" | "saving" | "saved" | "error";

/**
 * The designer's note on one image, saved as they type. A note is easy to lose (a reload,
 * a closed tab), so the page asks before it drops text not yet saved, and a hidden or
 * closing page sends what is left with keepalive, which outlives the page.
 */
export function NoteField({
  output,
  label,
  onSaved,
}: {
  output: OutputRef;
  label: string;
  onSaved: (note: string | null) => void;
}) {
  const [value, setValue] = useState(output.note ?? "");
  const [status, setStatus] = useState<Status>("idle");
  const [error, setError] = useState("");
  const id = useId();
  // Refs, not state: the unload handlers must read the latest values synchronously.
  const current = useRef(output.note ?? "");
  const stored = useRef(output.note ?? "");
  const inFlight = useRef(false);
  const timer = useRef<number | undefined>(undefined);
  const imageId = output.imageId;
  // Kept in a ref so `save` (and the listeners bound to it) stay the same across renders.
  const onSavedRef = useRef(onSaved);
  useEffect(() => {
    onSavedRef.current = onSaved;
  }, [onSaved]);

  const unsaved = useCallback(() => inFlight.current || current.current.trim() !== stored.current, []);

  const save = useCallback(
    async (keepalive = false): Promise<void> => {
      window.clearTimeout(timer.current);
      timer.current = undefined;
      const note = current.current.trim();
      if (note === stored.current) {
        if (!inFlight.current) setStatus((s) => (s === "saving" ? "saved" : s));
        return;
      }
      // One request at a time, so answers can't land out of order; the running one saves again
      // when it ends. A closing page can't wait for it, so keepalive sends regardless.
      if (inFlight.current && !keepalive) return;
      inFlight.current = true;
      setStatus("saving");
      try {
        const result = await updateImageMeta(imageId, { note: note || null }, { keepalive });
        stored.current = result.note ?? "";
        onSavedRef.current(result.note);
      } catch (e) {
        inFlight.current = false;
        setStatus("error");
        setError(errorMessage(e));
        return;
      }
      inFlight.current = false;
      if (current.current.trim() !== stored.current) await save();
      else setStatus("saved");
    },
    [imageId],
  );

  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (!unsaved()) return;
      event.preventDefault();
      // Older browsers show the dialog only when returnValue is set.
      event.returnValue = "";
    };
    const flush = () => {
      if (unsaved()) void save(true);
    };
    const onHidden = () => {
      if (document.visibilityState === "hidden") flush();
    };
    window.addEventListener("beforeunload", warn);
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", onHidden);
    return () => {
      window.removeEventListener("beforeunload", warn);
      window.removeEventListener("pagehide", flush);
      document.removeEventListener("visibilitychange", onHidden);
      // Leaving this image (another output picked, another page): keep what was typed.
      if (timer.current !== undefined) void save(true);
    };
  }, [save, unsaved]);

  const counter = value.length > NOTE_LIMIT - 100 ? `${value.length}/${NOTE_LIMIT}` : "";
  return (
    <div className="mt-3">
      <div className="mb-1 flex items-baseline justify-between gap-3">
        <label htmlFor={id} className="text-xs font-medium text-zinc-400">
          {label}
        </label>
        <span className="text-[11px] tabular-nums text-zinc-500" aria-live="polite" data-testid="note-status">
          {status === "saving" ? "Saving…" : status === "saved" ? "Saved" : counter}
        </span>
      </div>
      <textarea
        id={id}
        value={value}
        maxLength={NOTE_LIMIT}
        rows={2}
        placeholder="What works, what to change next… (saved as you type)"
        onChange={(e) => {
          setValue(e.target.value);
          current.current = e.target.value;
          window.clearTimeout(timer.current);
          if (e.target.value.trim() === stored.current && !inFlight.current) {
            timer.current = undefined;
            setStatus((s) => (s === "error" ? "idle" : s));
            return;
          }
          setStatus("saving");
          timer.current = window.setTimeout(() => void save(), SAVE_DELAY_MS);
        }}
        onBlur={() => void save()}
        aria-invalid={status === "error" || undefined}
        aria-describedby={status === "error" ? `${id}-error` : undefined}
        className="field resize-y leading-relaxed"
      />
      {status === "error" ? (
        <p id={`${id}-error`} role="alert" className="mt-1 text-xs text-red-300">
          Not saved: {error}
        </p>
      ) : null}
    </div>
  );
}
