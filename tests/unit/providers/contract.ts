import { describe, expect, it } from "vitest";
import { CATALOG, type KeyedProviderId, providerEnvVars } from "@/lib/catalog";
import { DETAIL_MAX, type GenerationRequest, type ProviderAdapter, type ProviderConfig, type ProviderContext, type ProviderError } from "@/lib/providers/types";
import { type FakeReply, refusedUrl } from "../../support/fake-provider";
import { ctx, failure, KEY, scriptedFake } from "./helpers";

/**
 * The provider contract: what every HTTP adapter promises whatever its protocol (a missing key,
 * HTTP faults, malformed answers, hanging and dropped calls, the key never shown, and for async
 * adapters the same on a poll). Each adapter's test file runs it with how its protocol spells
 * an error, an accepted submission and a job; the file itself keeps only its protocol's cases.
 */

export type ContractSetup = {
  id: KeyedProviderId;
  create: (config: () => ProviderConfig) => ProviderAdapter;
  /** A generation request as the provider expects it. */
  request: (overrides?: Partial<GenerationRequest>) => GenerationRequest;
  /** Where a generation is submitted. */
  submitPath: string;
  /** An answer that accepts a submission. */
  accepted: FakeReply;
  /** The provider's error body carrying `message`. */
  errorBody: (message: string) => unknown;
  /** The words the adapter keeps from that body (default: the message itself). */
  said?: (message: string) => string;
  /** Which limit a submission runs under: a sync generation call, or any other request. */
  timeout: keyof ProviderContext["timeouts"];
  async?: {
    /** Where a job is polled, for an id already encoded. */
    pollPath: (encodedId: string) => string;
    /** Where a job is canceled; without it, the protocol has no cancel call and cancel sends nothing. */
    cancelPath?: (encodedId: string) => string;
    /** A job still running. */
    pending: FakeReply;
    /** A job that failed, with the provider's reason when given. */
    failed: (reason: string | undefined) => FakeReply;
  };
};

// An image answer cut off mid-stream: valid-looking JSON start, megabytes of base64, no end.
const BROKEN = `{"data":[{"b64_json":"iVBORw0KGgo${"AAAANSUhEUgAAAQAAAAEACAIAAADTED8x".repeat(4000)}`;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function providerContract(setup: ContractSetup) {
  const { id, request, errorBody, async: job } = setup;
  const label = CATALOG[id].label;
  const keyVar = providerEnvVars(id)!.key;
  const said = setup.said ?? ((message: string) => message);
  /** A detail holding these words in this order. */
  const detailWith = (...parts: string[]) => expect.stringMatching(new RegExp(parts.map(escape).join(".*")));

  describe(`${label}: the provider contract`, () => {
    const fake = scriptedFake({ status: 500, json: errorBody("no reply scripted") });

    const adapter = (baseUrl = () => fake.url) => setup.create(() => ({ apiKey: KEY, baseUrl: baseUrl() }));
    const submitted = (answer: FakeReply) => {
      fake.reply = () => answer;
      return failure(adapter().submit(request(), ctx()));
    };

    describe("before any call", () => {
      it.each([undefined, ""])(`fails as auth_failed naming ${keyVar} when the key is %j, without calling out`, async (apiKey) => {
        const keyless = setup.create(() => ({ apiKey, baseUrl: fake.url }));
        const e = await failure(keyless.submit(request(), ctx()));
        expect(e.code).toBe("auth_failed");
        expect(e.userMessage).toContain(keyVar);
        expect(e.message).toContain(keyVar);
        if (job) await expect(keyless.poll!("job_1", request(), ctx())).rejects.toMatchObject({ code: "auth_failed" });
        if (job?.cancelPath) await expect(keyless.cancel!("job_1", ctx())).rejects.toMatchObject({ code: "auth_failed" });
        expect(fake.requests).toHaveLength(0);
      });

      it("refuses an edit without an input image, without calling out", async () => {
        const e = await failure(adapter().submit(request({ mode: "edit" }), ctx()));
        expect(e.code).toBe("invalid_request");
        expect(fake.requests).toHaveLength(0);
      });

      it(`POSTs one generation as JSON to ${setup.submitPath}, the key as a Bearer token`, async () => {
        fake.reply = () => setup.accepted;
        const a = adapter();
        expect(a.id).toBe(id);
        await a.submit(request(), ctx());
        expect(fake.requests).toHaveLength(1);
        const sent = fake.requests[0]!;
        expect(sent.method).toBe("POST");
        expect(sent.path).toBe(setup.submitPath);
        expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
        expect(sent.headers["content-type"]).toBe("application/json");
        // A sync provider answers in the one call: nothing to poll or cancel.
        if (!job) expect([a.poll, a.cancel]).toEqual([undefined, undefined]);
      });

      it("tolerates a base URL with a trailing slash", async () => {
        fake.reply = () => setup.accepted;
        await adapter(() => `${fake.url}/`).submit(request(), ctx());
        expect(fake.requests[0]!.path).toBe(setup.submitPath);
      });
    });

    describe("a failed submission", () => {
      it.each<[string, FakeReply, Partial<Record<keyof ProviderError, unknown>>]>([
        [
          "400 with a reason",
          { status: 400, json: errorBody("prompt is required") },
          { code: "invalid_request", retryable: false, detail: detailWith("HTTP 400", said("prompt is required")), userMessage: expect.stringContaining("prompt is required") },
        ],
        [
          "422 with a reason",
          { status: 422, json: errorBody("size must be WxH") },
          { code: "invalid_request", retryable: false, detail: detailWith("HTTP 422", said("size must be WxH")), userMessage: expect.stringContaining("size must be WxH") },
        ],
        ["401", { status: 401, json: errorBody("invalid api key") }, { code: "auth_failed", retryable: false, detail: detailWith(said("invalid api key")) }],
        ["403", { status: 403, json: errorBody("forbidden") }, { code: "auth_failed", retryable: false }],
        [
          "429 + Retry-After: 7",
          { status: 429, headers: { "Retry-After": "7" }, json: errorBody("slow down") },
          { code: "rate_limited", retryable: true, notReceived: true, retryAfterMs: 7000 },
        ],
        [
          "500",
          { status: 500, json: errorBody("upstream exploded") },
          { code: "provider_error", retryable: true, notReceived: false, detail: detailWith(said("upstream exploded")) },
        ],
        ["400 NSFW", { status: 400, json: errorBody("NSFW content detected") }, { code: "moderated", retryable: false, detail: detailWith(said("NSFW content detected")) }],
        [
          "400 flagged by moderation",
          { status: 400, json: errorBody("Input flagged by content moderation") },
          { code: "moderated", retryable: false, detail: detailWith(said("Input flagged by content moderation")) },
        ],
        ["200 schema mismatch", { status: 200, json: { foo: 1 } }, { code: "invalid_response" }],
      ])("maps %s", async (_label, answer, expected) => {
        expect(await submitted(answer)).toMatchObject(expected);
      });

      it.each<[string, FakeReply]>([
        ["JSON cut short", { status: 200, body: "not json{", headers: { "content-type": "application/json" } }],
        ["an HTML error page", { status: 200, body: "<html>502 Bad Gateway</html>", headers: { "content-type": "text/html" } }],
      ])("maps a malformed answer (%s) to invalid_response in plain words", async (_label, answer) => {
        const e = await submitted(answer);
        expect(e.code).toBe("invalid_response");
        expect(e.userMessage).toBe(`${label} sent an answer Atelier does not understand.`);
      });

      it("gives a huge malformed answer a human message without the raw body, and a short detail", async () => {
        const e = await submitted({ body: BROKEN, headers: { "content-type": "application/json" } });
        expect(e.code).toBe("invalid_response");
        expect(e.userMessage).toBe(`${label} sent an answer Atelier does not understand.`);
        expect(e.userMessage).not.toMatch(/b64_json|iVBOR|not JSON/);
        expect(e.detail!.length).toBeLessThanOrEqual(DETAIL_MAX);
        expect(e.detail).toMatch(/^not JSON: \{"data":\[\{"b64_json":"iVBORw0KGgo/);
        expect(e.detail).toMatch(/…$/);
      });

      it("times out a hanging call", async () => {
        const limit = ctx().timeouts[setup.timeout];
        const started = Date.now();
        const e = await submitted({ hang: true });
        expect(e).toMatchObject({ code: "timeout", retryable: true, notReceived: false });
        expect(Date.now() - started).toBeGreaterThanOrEqual(limit * 0.9);
        expect(Date.now() - started).toBeLessThan(5000);
      });

      it("marks a refused connection as certainly not received", async () => {
        const dead = await refusedUrl();
        const e = await failure(adapter(() => dead).submit(request(), ctx()));
        expect(e).toMatchObject({ code: "provider_error", retryable: true, notReceived: true });
      });

      it("treats a dropped connection as possibly received", async () => {
        expect(await submitted({ destroy: true })).toMatchObject({ code: "provider_error", notReceived: false });
      });
    });

    describe("the key", () => {
      it.each([
        [400, "invalid_request"],
        [401, "auth_failed"],
        [500, "provider_error"],
      ] as const)("is scrubbed when the provider echoes it in a %i", async (status, code) => {
        const e = await submitted({ status, json: errorBody(`unknown token ${KEY}`) });
        expect(e.code).toBe(code);
        expect(e.detail).toContain("unknown token [redacted]");
      });

      it("is scrubbed before a long provider error is cut to DETAIL_MAX with an ellipsis", async () => {
        const words = `upstream failed for token ${KEY}: ${"the sampler ran out of memory again; ".repeat(30)}`;
        const e = await submitted({ status: 500, json: errorBody(words) });
        expect(e.code).toBe("provider_error");
        expect(e.detail).toMatch(/^HTTP 500: upstream failed for token \[redacted\]: the sampler ran out of memory/);
        expect(e.detail!.length).toBe(DETAIL_MAX);
        expect(e.detail!.endsWith("…")).toBe(true);
      });
    });

    if (!job) return;

    describe("a poll", () => {
      const polled = (answer: FakeReply) => {
        fake.reply = () => answer;
        return failure(adapter().poll!("job_1", request(), ctx()));
      };

      it.each<[string, FakeReply, Partial<ProviderError>]>([
        ["503 that is not JSON", { status: 503, body: "busy" }, { code: "provider_error", retryable: true }],
        ["429 + Retry-After: 7", { status: 429, headers: { "Retry-After": "7" }, json: errorBody("throttled") }, { code: "rate_limited", retryAfterMs: 7000 }],
        ["200 not JSON", { status: 200, body: "not json{" }, { code: "invalid_response" }],
        ["200 schema mismatch", { status: 200, json: { foo: 1 } }, { code: "invalid_response" }],
      ])("maps %s like a submission", async (_label, answer, expected) => {
        expect(await polled(answer)).toMatchObject(expected);
      });

      it.each<[string, string | undefined, Partial<ProviderError>, string]>([
        ["with NSFW", "NSFW content detected. Try a different prompt.", { code: "moderated", retryable: false }, "NSFW"],
        ["with a safety checker's words", "Output flagged by safety checker", { code: "moderated", retryable: false }, "flagged by safety"],
        ["with a safety filter's words", "Prediction failed: output flagged as sensitive by the safety filter", { code: "moderated" }, "safety filter"],
        ["for another reason", "GPU out of memory", { code: "provider_error", retryable: false }, "GPU out of memory"],
        ["without a reason", undefined, { code: "provider_error", retryable: false }, "without a reason"],
      ])("maps a job that failed %s", async (_label, reason, expected, detail) => {
        const e = await polled(job.failed(reason));
        expect(e).toMatchObject(expected);
        expect(e.detail).toContain(detail);
      });

      it("scrubs the key from a failed job's own words", async () => {
        const e = await polled(job.failed(`token ${KEY} is out of credit`));
        expect(e).toMatchObject({ code: "provider_error", detail: "token [redacted] is out of credit" });
      });

      it("never lets an id change the path", async () => {
        fake.reply = () => job.pending;
        const id = "job_1/../../admin?x=1";
        await adapter().poll!(id, request(), ctx());
        expect(fake.requests[0]!.path).toBe(job.pollPath(encodeURIComponent(id)));
      });
    });

    const { cancelPath } = job;
    describe("cancel", () => {
      if (!cancelPath) {
        it("has no call to make, so it sends nothing", async () => {
          await expect(adapter().cancel!("job_1", ctx())).resolves.toBeUndefined();
          expect(fake.requests).toHaveLength(0);
        });
        return;
      }

      it("POSTs to the job's cancel path with the key", async () => {
        fake.reply = () => job.pending;
        await expect(adapter().cancel!("job_1", ctx())).resolves.toBeUndefined();
        expect(fake.requests).toHaveLength(1);
        const sent = fake.requests[0]!;
        expect(sent.method).toBe("POST");
        expect(sent.path).toBe(cancelPath("job_1"));
        expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
      });

      it("lets a failed cancel throw a typed error (the worker swallows it)", async () => {
        fake.reply = () => ({ status: 404, json: errorBody("Not found.") });
        expect((await failure(adapter().cancel!("job_1", ctx()))).code).toBe("invalid_request");
      });
    });
  });
}
