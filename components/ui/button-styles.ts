/** Button looks shared by the job, batch and compare pages (same as the existing UI). */
export const buttonSecondary =
  "inline-flex h-9 items-center justify-center gap-2 whitespace-nowrap rounded-lg border border-zinc-700 bg-zinc-900 px-3 text-sm font-medium text-zinc-200 transition-colors hover:border-zinc-500 hover:text-zinc-50 disabled:pointer-events-none disabled:opacity-50";
export const buttonPrimary =
  "inline-flex h-9 items-center justify-center gap-2 whitespace-nowrap rounded-lg bg-accent-400 px-3 text-sm font-semibold text-zinc-950 transition-colors hover:bg-accent-300 disabled:pointer-events-none disabled:opacity-60";
export const buttonGhost =
  "inline-flex h-8 items-center justify-center gap-1.5 whitespace-nowrap rounded-md px-2.5 text-sm text-zinc-300 transition-colors hover:bg-zinc-800 hover:text-zinc-50 disabled:pointer-events-none disabled:opacity-50";
