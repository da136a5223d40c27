/** Theme choice: follows prefers-color-scheme until the designer picks one, then localStorage keeps it. */
export const THEME_STORAGE_KEY = "atelier-theme";
export type Theme = "light" | "dark";

/**
 * Runs inline in <head> before the first paint, so a light-theme page never flashes dark.
 * Kept tiny and dependency-free; it is a string, not a module.
 */
export const THEME_SCRIPT = `(function(){try{var s=localStorage.getItem("${THEME_STORAGE_KEY}");var t=s==="light"||s==="dark"?s:(window.matchMedia("(prefers-color-scheme: light)").matches?"light":"dark");var c=document.documentElement.classList;c.remove("light","dark");c.add(t)}catch(e){}})()`;

export function currentTheme(): Theme {
  return document.documentElement.classList.contains("light") ? "light" : "dark";
}

export function applyTheme(theme: Theme, persist: boolean): void {
  const classes = document.documentElement.classList;
  classes.remove("light", "dark");
  classes.add(theme);
  if (persist) {
    try {
      localStorage.setItem(THEME_STORAGE_KEY, theme);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }
}

export function storedTheme(): Theme | null {
  try {
    const value = localStorage.getItem(THEME_STORAGE_KEY);
    return value === "light" || value === "dark" ? value : null;
  } catch {
    return null;
  }
}
