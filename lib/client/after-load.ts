"use client";

/**
 * Runs `fn` once the page has finished loading and the browser is idle: for code the first
 * paint doesn't need (form checks, the drag-and-drop engine), so it never competes with it.
 */
export function afterLoad(fn: () => void): () => void {
  let cancelled = false;
  let idleId: number | undefined;
  const run = () => {
    if (cancelled) return;
    if ("requestIdleCallback" in window) idleId = window.requestIdleCallback(() => !cancelled && fn(), { timeout: 1500 });
    else idleId = setTimeout(() => !cancelled && fn(), 50) as unknown as number;
  };
  if (document.readyState === "complete") run();
  else window.addEventListener("load", run, { once: true });
  return () => {
    cancelled = true;
    window.removeEventListener("load", run);
    if (idleId !== undefined) {
      if ("cancelIdleCallback" in window) window.cancelIdleCallback(idleId);
      else clearTimeout(idleId);
    }
  };
}
