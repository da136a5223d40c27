"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { JobDto, JobPage, ProviderDto } from "@/lib/dto";
import { keepNewest } from "@/lib/client/job-stream";
import { refreshGallery } from "@/lib/client/gallery-cache";
import type { GalleryFilter } from "@/lib/client/gallery-filter";
import { isActive } from "@/lib/client/jobs";
import type { Budget, Creator } from "@/lib/dto";
import { fetchBudget } from "@/lib/client/api";
import { queryKeys } from "@/lib/client/query-keys";
import { studioSession } from "@/lib/client/session";
import { HistoryGallery } from "../gallery/history-gallery";
import { LiveJobs } from "./live-jobs";
import { type RemixSource, StudioForm } from "./studio-form";

export function Studio({
  providers,
  initialPage,
  initialFilter,
  activeJobs,
  initialInputId,
  remix,
  initialBudget,
  people,
}: {
  providers: ProviderDto[];
  initialPage: JobPage;
  initialFilter: GalleryFilter;
  /** Jobs queued or running when the page was rendered. */
  activeJobs: JobDto[];
  initialInputId: string | null;
  remix: RemixSource | null;
  initialBudget: Budget;
  /** Everyone who may have made a job, for the person filter; null without accounts. */
  people: Creator[] | null;
}) {
  const queryClient = useQueryClient();

  // Each navigation to `/?remix=…` brings a new recipe object: remount the form to take it,
  // even when it is the same job as last time.
  const [formKey, setFormKey] = useState(0);
  const [shownRemix, setShownRemix] = useState(remix);
  if (remix !== shownRemix) {
    setShownRemix(remix);
    if (remix) setFormKey((k) => k + 1);
  }

  // Jobs still queued/running when the page loaded keep their live card after a reload.
  const initialJobs = useMemo(() => {
    const map: Record<string, JobDto> = {};
    for (const job of [...activeJobs, ...initialPage.items]) if (isActive(job.status)) map[job.id] = job;
    return map;
  }, [activeJobs, initialPage]);

  const [ids, setIds] = useState<string[]>(() => {
    const kept = studioSession.jobIds();
    const extra = Object.keys(initialJobs).filter((id) => !kept.includes(id));
    return [...kept, ...extra];
  });
  // After a reload this document starts empty: bring back the tab's earlier jobs, so a failure
  // stays in view until it is cleared. (In an effect: the server render knows no tab.)
  useEffect(() => {
    if (studioSession.jobIds().length > 0) return;
    const stored = studioSession.storedJobIds();
    if (stored.length > 0) setIds((now) => [...stored.filter((id) => !now.includes(id)), ...now]);
  }, []);
  useEffect(() => studioSession.saveJobIds(ids), [ids]);

  // This month's spend, for the budget line; refreshed whenever a job finishes.
  const { data: budget } = useQuery({
    queryKey: queryKeys.budget,
    queryFn: ({ signal }) => fetchBudget(signal),
    initialData: initialBudget,
    initialDataUpdatedAt: 0,
    staleTime: 30_000,
  });

  const onSubmitted = useCallback(
    (job: JobDto) => {
      keepNewest(queryClient, job);
      setIds((current) => [job.id, ...current.filter((id) => id !== job.id)]);
      void refreshGallery(queryClient);
    },
    [queryClient],
  );

  const onDeleted = useCallback((deleted: string[]) => {
    setIds((current) => current.filter((id) => !deleted.includes(id)));
  }, []);

  // grid-cols-1 (minmax(0, 1fr)) on a phone: a long unbreakable line in the form must not widen the page.
  return (
    <div className="grid grid-cols-1 gap-8 pt-6 lg:grid-cols-[minmax(340px,400px)_minmax(0,1fr)] xl:gap-10">
      <aside className="flex flex-col rounded-2xl border border-zinc-800/80 bg-zinc-900/40 lg:sticky lg:top-[4.75rem] lg:max-h-[calc(100dvh-6rem)] lg:self-start lg:overflow-hidden">
        <StudioForm
          key={formKey}
          providers={providers}
          initialInputId={initialInputId}
          remix={remix}
          budget={budget}
          onSubmitted={onSubmitted}
        />
      </aside>
      <div className="min-w-0">
        <LiveJobs
          ids={ids}
          initialJobs={initialJobs}
          onDismiss={(id) => setIds((current) => current.filter((x) => x !== id))}
          onClear={(finished) => setIds((current) => current.filter((x) => !finished.includes(x)))}
        />
        <HistoryGallery
          initialPage={initialPage}
          initialFilter={initialFilter}
          providers={providers}
          people={people}
          onDeleted={onDeleted}
        />
      </div>
    </div>
  );
}
