import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { BatchView } from "@/components/batch/batch-view";
import { AppError } from "@/lib/errors";
import { getBatch } from "@/lib/jobs";
import { listProviders } from "@/lib/provider-info";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

const load = cache(async (id: string) => {
  try {
    return await getBatch(id);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") return null;
    throw error;
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const jobs = await load((await params).id);
  return { title: jobs ? `Batch of ${jobs.length}` : "Batch not found" };
}

export default async function BatchPage({ params }: Props) {
  const { id } = await params;
  const jobs = await load(id);
  if (!jobs) notFound();
  return <BatchView initial={{ batchId: id, jobs }} providers={listProviders()} />;
}
