import { headers } from "next/headers";
import Link from "next/link";
import { actorOrNull, signedIn } from "@/lib/actor";
import { HeaderNav } from "./header-nav";
import { NotifyToggle } from "./notify-toggle-lazy";
import { ThemeToggle } from "./theme-toggle";

export async function AppHeader() {
  // Who is signed in is read when the page is served (headers() also keeps it from being prerendered).
  const actor = actorOrNull(await headers());
  const account = signedIn(actor);
  // Only in team mode: with no accounts yet the Team page is reached from the README (it turns team mode on).
  const team = Boolean(actor?.accountId) && actor?.role === "admin";
  return (
    <header className="sticky top-0 z-30 border-b border-zinc-800/80 bg-zinc-950/85 backdrop-blur supports-[backdrop-filter]:bg-zinc-950/70">
      <div className="mx-auto flex h-14 w-full max-w-[1600px] items-center gap-2 px-3 sm:gap-5 sm:px-6">
        <Link href="/" className="group flex items-center gap-2.5 rounded-md" aria-label="Atelier home">
          <svg viewBox="0 0 64 64" className="size-7" aria-hidden="true">
            <rect width="64" height="64" rx="14" fill="#27272a" />
            <path
              d="M18 46 30 18h4l12 28h-5.5l-3-7.2H26.4L23.5 46H18Zm10.3-11.8h7.4L32 25.1l-3.7 9.1Z"
              fill="var(--color-accent-400)"
            />
          </svg>
          {/* With the Account link as well, a phone's width holds the mark but not the name beside it. */}
          <span className={`text-[15px] font-semibold tracking-tight text-zinc-50 ${account ? "hidden sm:inline" : ""}`}>Atelier</span>
        </Link>
        <span aria-hidden="true" className="hidden h-5 w-px bg-zinc-800 sm:block" />
        <HeaderNav account={account} team={team} />
        <p className="ml-auto hidden text-sm text-zinc-500 lg:block">Edit and generate images with FLUX.1 Kontext</p>
        <div className="ml-auto flex items-center sm:gap-1 lg:ml-2">
          <NotifyToggle />
          <ThemeToggle />
        </div>
      </div>
    </header>
  );
}
