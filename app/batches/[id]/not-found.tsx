import Link from "next/link";

export default function BatchNotFound() {
  return (
    <div className="mx-auto flex max-w-md flex-col items-center py-24 text-center">
      <p className="font-mono text-sm text-zinc-500">404</p>
      <h1 className="mt-2 text-xl font-semibold text-zinc-50">No such batch</h1>
      <p className="mt-2 text-sm text-zinc-400">
        The link may be mistyped, or its jobs were deleted. Everything you made here is in the studio&apos;s history.
      </p>
      <Link
        href="/"
        className="mt-6 inline-flex h-9 items-center rounded-lg bg-accent-400 px-4 text-sm font-semibold text-zinc-950 hover:bg-accent-300"
      >
        Back to the studio
      </Link>
    </div>
  );
}
