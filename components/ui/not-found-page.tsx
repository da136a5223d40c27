import Link from "next/link";
import type { ReactNode } from "react";

/** The 404 page of a job or batch link: what is missing, why that may be, and the way back. */
export function NotFoundPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="mx-auto flex max-w-md flex-col items-center py-24 text-center">
      <p className="font-mono text-sm text-zinc-500">404</p>
      <h1 className="mt-2 text-xl font-semibold text-zinc-50">{title}</h1>
      <p className="mt-2 text-sm text-zinc-400">{children}</p>
      <Link
        href="/"
        className="mt-6 inline-flex h-9 items-center rounded-lg bg-accent-400 px-4 text-sm font-semibold text-zinc-950 hover:bg-accent-300"
      >
        Back to the studio
      </Link>
    </div>
  );
}
