"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { connectJobStream } from "@/lib/client/job-stream";

/** Opens the tab's one stream of job changes for as long as the app is open. */
export function JobEvents() {
  const queryClient = useQueryClient();
  useEffect(() => connectJobStream(queryClient), [queryClient]);
  return null;
}
