"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Studio" },
  { href: "/ledger", label: "Ledger" },
];
/** Sessions and API tokens exist only when a password is set (ATELIER_PASSWORD). */
const ACCOUNT = { href: "/account", label: "Account" };

export function HeaderNav({ account }: { account: boolean }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex items-center gap-1">
      {(account ? [...LINKS, ACCOUNT] : LINKS).map((link) => {
        const current = link.href === "/" ? pathname === "/" : pathname.startsWith(link.href);
        return (
          <Link
            key={link.href}
            href={link.href}
            aria-current={current ? "page" : undefined}
            className={`rounded-lg px-3 py-1.5 text-sm font-medium transition-colors ${
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
