"use client";

import { useEffect, useState } from "react";
import { formatDateTime } from "@/lib/client/format";

const local = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** UTC on the server render (stable for hydration), the viewer's local time once mounted. */
export function LocalTime({ iso }: { iso: string | null }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  if (!iso) return <>—</>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {mounted ? local.format(new Date(iso)) : formatDateTime(iso)}
    </time>
  );
}
