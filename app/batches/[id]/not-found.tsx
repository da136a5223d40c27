import { NotFoundPage } from "@/components/ui/not-found-page";

export default function BatchNotFound() {
  return (
    <NotFoundPage title="No such batch">
      The link may be mistyped, or its jobs were deleted. Everything you made here is in the studio&apos;s history.
    </NotFoundPage>
  );
}
