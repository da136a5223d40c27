import { headers } from "next/headers";
import { Studio } from "@/components/studio/studio";
import type { RemixSource } from "@/components/studio/studio-form";
import { listAccounts } from "@/lib/accounts";
import { type Actor, actorOf } from "@/lib/actor";
import { getJob, listJobs } from "@/lib/jobs";
import { budgetStatus } from "@/lib/ledger";
import { listProviders } from "@/lib/provider-info";
import { GALLERY_PAGE_SIZE } from "@/lib/client/constants";
import { filterFromParams, filterToApiParams, type GalleryFilter } from "@/lib/client/gallery-filter";
import type { JobPage } from "@/lib/dto";
import { ID_PATTERN } from "@/lib/schemas";

export const dynamic = "force-dynamic";

type Params = Record<string, string | string[] | undefined>;

/** The first gallery page for the URL's filters; a filter the API refuses shows the plain history. */
async function firstPage(filter: GalleryFilter, actor: Actor): Promise<{ page: JobPage; filter: GalleryFilter }> {
  try {
    return { page: await listJobs({ ...Object.fromEntries(filterToApiParams(filter)), limit: GALLERY_PAGE_SIZE }, actor), filter };
  } catch {
    return { page: await listJobs({ limit: GALLERY_PAGE_SIZE }), filter: {} };
  }
}

export default async function StudioPage({ searchParams }: { searchParams: Promise<Params> }) {
  const params = await searchParams;
  const id = (name: string) => {
    const value = params[name];
    return typeof value === "string" && ID_PATTERN.test(value) ? value : null;
  };

  // `/?remix=<jobId>` refills the form from that job; its input image preloads like `?input=`.
  const remixJob = id("remix") ? await getJob(id("remix")!) : null;
  const remix: RemixSource | null = remixJob
    ? {
        id: remixJob.id,
        provider: remixJob.provider,
        model: remixJob.model,
        prompt: remixJob.prompt,
        aspectRatio: remixJob.aspectRatio,
        seed: remixJob.seed,
        n: remixJob.n,
        mask: remixJob.mask,
      }
    : null;
  const input = remixJob ? (remixJob.inputs[0]?.imageId ?? null) : id("input");

  // A person filter means something only in team mode; elsewhere an old link's `by` is dropped.
  const actor = actorOf(await headers());
  const team = actor.accountId !== null;
  const filter = filterFromParams(params);
  if (!team) delete filter.by;

  const [{ page, filter: shown }, running, queued, budget, people] = await Promise.all([
    firstPage(filter, actor),
    listJobs({ status: "running", limit: 20 }),
    listJobs({ status: "queued", limit: 20 }),
    budgetStatus(actor),
    team ? listAccounts() : null,
  ]);

  return (
    <Studio
      providers={listProviders()}
      initialPage={page}
      initialFilter={shown}
      activeJobs={[...running.items, ...queued.items]}
      initialInputId={input}
      remix={remix}
      initialBudget={budget}
      people={people?.map((p) => ({ id: p.id, email: p.email, removed: p.status === "removed" })) ?? null}
    />
  );
}
