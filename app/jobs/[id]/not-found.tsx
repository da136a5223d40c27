import { NotFoundPage } from "@/components/ui/not-found-page";

export default function JobNotFound() {
  return (
    <NotFoundPage title="No such job">
      The link may be mistyped, or the job belongs to another Atelier. Everything you made here is in the studio&apos;s history.
    </NotFoundPage>
  );
}
