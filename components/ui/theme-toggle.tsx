"use client";

import { useEffect, useState } from "react";
import { applyTheme, currentTheme, storedTheme, type Theme } from "@/lib/client/theme";

/** Light/dark switch. The class on <html> is already set before paint; this only flips it. */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme | null>(null);

  useEffect(() => {
    setTheme(currentTheme());
    // Without an explicit choice, follow the system when it changes.
    const media = window.matchMedia("(prefers-color-scheme: light)");
    const onChange = () => {
      if (storedTheme()) return;
      const next: Theme = media.matches ? "light" : "dark";
      applyTheme(next, false);
      setTheme(next);
    };
    media.addEventListener("change", onChange);
    return () => media.removeEventListener("change", onChange);
  }, []);

  const dark = theme !== "light";
  return (
    <button
      type="button"
      onClick={() => {
        const next: Theme = currentTheme() === "light" ? "dark" : "light";
        applyTheme(next, true);
        setTheme(next);
      }}
      aria-label="Dark theme"
      aria-pressed={theme === null ? undefined : dark}
      title={dark ? "Switch to the light theme" : "Switch to the dark theme"}
      data-testid="theme-toggle"
      className="flex size-9 items-center justify-center rounded-lg text-zinc-400 transition-colors hover:bg-zinc-800/70 hover:text-zinc-100"
    >
      {/* Both icons render; CSS picks one from the <html> class, so the first paint is right. */}
      <svg viewBox="0 0 24 24" className="size-[18px] light:hidden" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
        <path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5Z" />
      </svg>
      <svg viewBox="0 0 24 24" className="hidden size-[18px] light:block" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" aria-hidden="true">
        <circle cx="12" cy="12" r="4" />
        <path d="M12 2.5v2M12 19.5v2M4.6 4.6 6 6M18 18l1.4 1.4M2.5 12h2M19.5 12h2M4.6 19.4 6 18M18 6l1.4-1.4" />
      </svg>
    </button>
  );
}
