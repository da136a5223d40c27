import { Studio } from "@/components/studio";
import { listJobs } from "@/lib/jobs";
import { listProviders } from "@/lib/providers/registry";
import { GALLERY_PAGE_SIZE } from "@/lib/client/api";
import { ID_PATTERN } from "@/lib/schemas";

export const dynamic = "force-dynamic";

export default async function StudioPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const input = typeof params.input === "string" && ID_PATTERN.test(params.input) ? params.input : null;
  const providers = listProviders();
  const initialPage = await listJobs({ limit: GALLERY_PAGE_SIZE });
  return <Studio providers={providers} initialPage={initialPage} initialInputId={input} />;
}
