"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { JobDto, JobPage, ProviderDto } from "@/lib/dto";
import { isActive } from "@/lib/client/jobs";
import { queryKeys } from "@/lib/client/query-keys";
import { studioSession } from "@/lib/client/session";
import { HistoryGallery } from "./history-gallery";
import { LiveJobs } from "./live-jobs";
import { StudioForm } from "./studio-form";

export function Studio({
  providers,
  initialPage,
  initialInputId,
}: {
  providers: ProviderDto[];
  initialPage: JobPage;
  initialInputId: string | null;
}) {
  const queryClient = useQueryClient();

  // Jobs still queued/running when the page loaded keep their live card after a reload.
  const initialJobs = useMemo(() => {
    const map: Record<string, JobDto> = {};
    for (const job of initialPage.items) if (isActive(job.status)) map[job.id] = job;
    return map;
  }, [initialPage]);

  const [ids, setIds] = useState<string[]>(() => {
    const kept = studioSession.jobIds();
    const extra = Object.keys(initialJobs).filter((id) => !kept.includes(id));
    return [...kept, ...extra];
  });
  useEffect(() => studioSession.saveJobIds(ids), [ids]);

  const onSubmitted = useCallback(
    (job: JobDto) => {
      queryClient.setQueryData(queryKeys.job(job.id), job);
      setIds((current) => [job.id, ...current.filter((id) => id !== job.id)]);
      void queryClient.invalidateQueries({ queryKey: queryKeys.galleryAll });
    },
    [queryClient],
  );

  return (
    <div className="grid gap-8 pt-6 lg:grid-cols-[minmax(340px,400px)_minmax(0,1fr)] xl:gap-10">
      <aside className="flex flex-col rounded-2xl border border-zinc-800/80 bg-zinc-900/40 lg:sticky lg:top-[4.75rem] lg:overflow-hidden lg:max-h-[calc(100dvh-6rem)] lg:self-start">
        <StudioForm providers={providers} initialInputId={initialInputId} onSubmitted={onSubmitted} />
      </aside>
      <div className="min-w-0">
        <LiveJobs
          ids={ids}
          initialJobs={initialJobs}
          onDismiss={(id) => setIds((current) => current.filter((x) => x !== id))}
          onClear={(finished) => setIds((current) => current.filter((x) => !finished.includes(x)))}
        />
        <HistoryGallery initialPage={initialPage} />
      </div>
    </div>
  );
}
