import "server-only";
import { findModel, PROVIDER_IDS, type ProviderId, providerSpec } from "@/lib/catalog";
import { db } from "@/lib/db";
import { durationBetween, formatDuration, priceText } from "@/lib/client/format";

export type JobFacts = { provider: string; model: string; duration: string | null; cost: string };

const isProvider = (id: string): id is ProviderId => (PROVIDER_IDS as readonly string[]).includes(id);

/** What made a compared image, in words a designer compares providers by: who, which model, how long, how much. */
export async function jobFacts(jobId: string): Promise<JobFacts | null> {
  const job = await db().job.findUnique({
    where: { id: jobId },
    select: { provider: true, model: true, startedAt: true, finishedAt: true, costUsd: true },
  });
  if (!job) return null;
  const provider = isProvider(job.provider) ? providerSpec(job.provider) : undefined;
  const model = isProvider(job.provider) ? findModel(job.provider, job.model) : undefined;
  const ran = durationBetween(job.startedAt?.toISOString() ?? null, job.finishedAt?.toISOString() ?? null);
  return {
    provider: provider?.label ?? job.provider,
    model: model?.label ?? job.model,
    duration: ran === null ? null : formatDuration(ran),
    cost: priceText(job.costUsd),
  };
}
