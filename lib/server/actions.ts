"use server";

import { headers } from "next/headers";
import { actorOf } from "../actor";
import type { JobDto } from "../dto";
import { cancelJob, createJob } from "../jobs";
import { errorAnswer } from "./http";

/** Server actions for the studio; the same lib functions back the JSON API. */

export type ActionResult = { ok: true; job: JobDto } | { ok: false; error: { code: string; message: string } };

async function run(fn: () => Promise<JobDto>): Promise<ActionResult> {
  try {
    return { ok: true, job: await fn() };
  } catch (error) {
    return { ok: false, error: errorAnswer(error, "action").error };
  }
}

export async function submitJobAction(input: unknown): Promise<ActionResult> {
  return run(async () => createJob(input, actorOf(await headers())));
}

export async function cancelJobAction(id: string): Promise<ActionResult> {
  return run(async () => cancelJob(id, actorOf(await headers())));
}
