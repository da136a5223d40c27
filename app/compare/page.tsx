import type { Metadata } from "next";
import Link from "next/link";
import { CompareView } from "@/components/compare/compare-view";
import { ArrowLeftIcon, CompareIcon, SwapIcon } from "@/components/ui/icons";
import { buttonSecondary } from "@/components/ui/button-styles";
import { fromLabel, safeFrom, withFrom } from "@/lib/client/back-link";
import { compareUrl } from "@/lib/client/urls";
import { type CompareSide, type JobFacts, jobFacts, loadSide } from "@/lib/compare";
import { getJob } from "@/lib/jobs";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Compare" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

function SideCard({ side, name, facts }: { side: CompareSide; name: "A" | "B"; facts: JobFacts | null }) {
  const title = side.job?.prompt ?? "Original upload";
  const made = facts ? [facts.provider, facts.model, facts.duration, facts.cost].filter(Boolean).join(" · ") : null;
  return (
    <div className="flex min-w-0 flex-1 items-center gap-3 rounded-xl border border-zinc-800/80 bg-zinc-900/40 p-2 pr-3" data-testid={`compare-side-${name.toLowerCase()}`}>
      <span className="checker relative size-12 shrink-0 overflow-hidden rounded-lg ring-1 ring-zinc-800">
        <img src={side.thumbUrl} alt="" width={side.width} height={side.height} className="size-full object-cover" />
        <span className="absolute bottom-0.5 left-0.5 rounded bg-zinc-950/85 px-1 text-[10px] font-bold text-accent-300">{name}</span>
      </span>
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm text-zinc-100" title={title}>
          {title}
        </p>
        {made ? (
          <p className="mt-0.5 truncate text-xs text-zinc-400" title={made} data-testid="compare-side-meta">
            {made}
          </p>
        ) : null}
        <p className="mt-0.5 flex flex-wrap gap-x-2 text-xs tabular-nums text-zinc-500">
          <span>
            {side.width} × {side.height}
          </span>
          {side.job ? <span>seed {side.job.seed}</span> : null}
          {side.job ? (
            <Link href={`/jobs/${side.job.id}`} className="text-zinc-400 underline-offset-2 hover:text-zinc-100 hover:underline">
              Open job
            </Link>
          ) : null}
        </p>
      </div>
    </div>
  );
}

/**
 * The painted region to outline and keep the difference to: B's job's mask (B is the "after"
 * of the pair), else A's: an input-versus-output pair finds it on the output's side, either way round.
 */
async function regionMaskUrl(a: CompareSide, b: CompareSide): Promise<string | null> {
  for (const side of [b, a]) {
    const job = side.job ? await getJob(side.job.id) : null;
    if (job?.mask) return job.mask.url;
  }
  return null;
}

function Help({ missing }: { missing: boolean }) {
  return (
    <div className="mx-auto flex max-w-md flex-col items-center py-24 text-center">
      <span className="flex size-12 items-center justify-center rounded-full bg-zinc-900 text-zinc-400 ring-1 ring-zinc-800">
        <CompareIcon className="size-5" />
      </span>
      <h1 className="mt-4 text-xl font-semibold text-zinc-50">{missing ? "Pick two images to compare" : "One of these images doesn't exist"}</h1>
      <p className="mt-2 text-sm leading-relaxed text-zinc-400">
        {missing
          ? "On a job page, use “Compare with…” under the result, or tick two images in the lineage and press Compare."
          : "It may have been deleted along with its job, or the link is mistyped."}
      </p>
      <Link href="/" className="mt-6 inline-flex h-9 items-center rounded-lg bg-accent-400 px-4 text-sm font-semibold text-zinc-950 hover:bg-accent-300">
        Back to the studio
      </Link>
    </div>
  );
}

export default async function ComparePage({ searchParams }: Props) {
  const params = await searchParams;
  const [aId, bId] = [one(params.a), one(params.b)];
  if (!aId || !bId) return <Help missing />;
  const [a, b] = await Promise.all([loadSide(aId), loadSide(bId)]);
  if (!a || !b) return <Help missing={false} />;
  const [aFacts, bFacts, maskUrl] = await Promise.all([
    a.job ? jobFacts(a.job.id) : null,
    b.job ? jobFacts(b.job.id) : null,
    regionMaskUrl(a, b),
  ]);
  // Back to where the designer came from; without that, to the job that made an image.
  const from = safeFrom(one(params.from));
  const job = b.job ?? a.job;
  const back = from ? { href: from, label: fromLabel(from) } : job ? { href: `/jobs/${job.id}`, label: "Job" } : { href: "/", label: "Studio" };
  const swap = compareUrl(b.ref, a.ref);
  return (
    <div className="pt-5" data-testid="compare-page">
      <div className="flex flex-wrap items-center gap-3">
        <div className="mr-2 flex items-center gap-3">
          <Link
            href={back.href}
            className="inline-flex items-center gap-1.5 rounded-md text-sm text-zinc-400 hover:text-zinc-100"
          >
            <ArrowLeftIcon className="size-3.5" /> <span className="sr-only">Back to the</span> {back.label}
          </Link>
          <span aria-hidden="true" className="text-zinc-700">
            /
          </span>
          <h1 className="text-lg font-semibold tracking-tight text-zinc-50">Compare</h1>
        </div>
        <div className="flex min-w-0 flex-[1_1_40rem] flex-wrap items-center gap-2">
          <SideCard side={a} name="A" facts={aFacts} />
          <Link href={from ? withFrom(swap, from) : swap} className={`${buttonSecondary} w-9 px-0`} aria-label="Swap A and B" title="Swap A and B">
            <SwapIcon className="size-4" />
          </Link>
          <SideCard side={b} name="B" facts={bFacts} />
        </div>
      </div>
      <div className="mt-4">
        <CompareView
          key={`${a.imageId}-${b.imageId}`}
          a={{ url: a.url, thumbUrl: a.thumbUrl, width: a.width, height: a.height, label: "A", alt: `A: ${a.job?.prompt ?? "the original upload"}` }}
          b={{ url: b.url, thumbUrl: b.thumbUrl, width: b.width, height: b.height, label: "B", alt: `B: ${b.job?.prompt ?? "the original upload"}` }}
          maxHeight="calc(100dvh - 18.5rem)"
          globalKeys
          regionMaskUrl={maskUrl}
        />
      </div>
    </div>
  );
}
