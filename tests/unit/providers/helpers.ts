import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { type GenerationRequest, type ProviderContext, ProviderError } from "@/lib/providers/types";
import { type FakeHandler, type FakeProvider, type FakeReply, type RecordedRequest, startFakeProvider } from "../../support/fake-provider";

/** What the provider contract tests share: the key, a context, requests, images, and failure checks. */

export const KEY = "test-key-123";

export const ctx = (): ProviderContext => ({
  fetch: globalThis.fetch,
  now: () => Date.now(),
  signal: new AbortController().signal,
  timeouts: { syncCallMs: 1000, requestMs: 500 },
});

/** A request builder with a test file's defaults; each call may override any field. */
export const requestWith =
  (defaults: Partial<GenerationRequest>) =>
  (overrides: Partial<GenerationRequest> = {}): GenerationRequest => ({
    jobId: "job_1",
    model: "flux-kontext-pro",
    mode: "generate",
    prompt: "a red chair",
    aspectRatio: "1:1",
    resolvedRatio: "1:1",
    seed: 1,
    n: 1,
    inputs: [],
    ...defaults,
    ...overrides,
  });

/** A solid PNG; `r` changes the colour, so different values give different bytes. */
export const png = (r = 200, width = 32, height = 18) =>
  sharp({ create: { width, height, channels: 3, background: { r, g: 90, b: 40 } } }).png().toBuffer();

/** A fixed reply, or one computed from the JSON body Atelier sent. */
export type Reply = FakeReply | ((body: any) => FakeReply | Promise<FakeReply>);
export const handlerFor =
  (reply: Reply): FakeHandler =>
  (req) =>
    typeof reply === "function" ? reply(req.json) : reply;

/** Resolves to the ProviderError a call threw, after checking the key leaked nowhere the job page shows. */
export async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const e = error as ProviderError;
  for (const text of [e.message, e.userMessage, e.detail ?? ""]) expect(text).not.toContain(KEY);
  return e;
}

/**
 * The one fake a test file (or describe block) talks to: started before its tests and closed
 * after, its record cleared and its answer reset to `fallback` before each test. A test
 * scripts it with `fake.reply = (req) => …`.
 */
export function scriptedFake(fallback: FakeReply) {
  let started: FakeProvider | undefined;
  const running = () => {
    if (!started) throw new Error("scriptedFake: the fake runs only while tests do");
    return started;
  };
  const fake = {
    reply: (_req: RecordedRequest): FakeReply => fallback,
    get url() {
      return running().url;
    },
    get requests() {
      return running().requests;
    },
    calls: (method: string, pathPrefix: string) => running().calls(method, pathPrefix),
    serveFile: (name: string, bytes: Buffer) => running().serveFile(name, bytes),
    expire: (name: string) => running().expire(name),
  };
  beforeAll(async () => {
    started = await startFakeProvider((req) => fake.reply(req));
  });
  afterAll(() => started?.close());
  beforeEach(() => {
    running().requests.length = 0;
    fake.reply = () => fallback;
  });
  return fake;
}
