"use server";

import { cancelJob, createJob } from "@/lib/jobs";
import { ApiError } from "@/lib/http";
import type { JobDto } from "@/lib/dto";

/** Server actions for the studio; the same lib functions back the JSON API. */

export type ActionResult = { ok: true; job: JobDto } | { ok: false; error: { code: string; message: string } };

async function run(fn: () => Promise<JobDto>): Promise<ActionResult> {
  try {
    return { ok: true, job: await fn() };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: { code: error.code, message: error.message } };
    console.error("[action] unexpected error", error);
    return { ok: false, error: { code: "internal", message: "Something went wrong on the server. Try again." } };
  }
}

export async function submitJobAction(input: unknown): Promise<ActionResult> {
  return run(() => createJob(input));
}

export async function cancelJobAction(id: string): Promise<ActionResult> {
  return run(() => cancelJob(id));
}
