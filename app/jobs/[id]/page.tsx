import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { JobView } from "@/components/job/job-view";
import { getJob } from "@/lib/jobs";
import { listProviders } from "@/lib/provider-info";
import { withUsualTimes } from "@/lib/usual-time";
import { ID_PATTERN } from "@/lib/schemas";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

/** One read per request, shared by the metadata and the page. */
const load = cache(async (id: string) => (ID_PATTERN.test(id) ? getJob(id) : null));

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const job = await load((await params).id);
  if (!job) return { title: "Job not found" };
  const title = job.prompt.length > 60 ? `${job.prompt.slice(0, 57)}…` : job.prompt;
  return { title };
}

export default async function JobPage({ params }: Props) {
  const job = await load((await params).id);
  if (!job) notFound();
  return <JobView initialJob={job} providers={await withUsualTimes(listProviders())} />;
}
