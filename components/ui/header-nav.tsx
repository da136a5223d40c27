"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Studio" },
  { href: "/ledger", label: "Ledger" },
];
/** Sessions and API tokens exist only when someone is signed in (a password is set, or accounts exist). */
const ACCOUNT = { href: "/account", label: "Account" };
const TEAM = { href: "/team", label: "Team" };

export function HeaderNav({ account, team }: { account: boolean; team: boolean }) {
  const pathname = usePathname();
  const links = [...LINKS, ...(team ? [TEAM] : []), ...(account ? [ACCOUNT] : [])];
  return (
    <nav aria-label="Main" className="flex items-center gap-0.5 sm:gap-1">
      {links.map((link) => {
        const current = link.href === "/" ? pathname === "/" : pathname.startsWith(link.href);
        return (
          <Link
            key={link.href}
            href={link.href}
            aria-current={current ? "page" : undefined}
            className={`rounded-lg px-2 py-1.5 text-sm font-medium transition-colors sm:px-3 ${
              current ? "bg-zinc-800/80 text-zinc-50" : "text-zinc-400 hover:bg-zinc-800/50 hover:text-zinc-100"
            }`}
          >
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}
