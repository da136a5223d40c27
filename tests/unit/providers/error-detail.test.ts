import { afterEach, describe, expect, it } from "vitest";
import { createDmxapiAdapter } from "@/lib/providers/dmxapi";
import { DETAIL_MAX, readableDetail } from "@/lib/providers/types";
import { type FakeProvider, startFakeProvider } from "../../support/fake-provider";
import { ctx, failure, handlerFor, KEY, type Reply, requestWith } from "./helpers";

/** A failed provider call reads as words; its raw answer is kept apart, cut to something readable. */

let fake: FakeProvider | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const request = requestWith({ model: "flux-kontext-pro" });

async function serve(reply: Reply) {
  fake = await startFakeProvider(handlerFor(reply));
  return createDmxapiAdapter(() => ({ apiKey: KEY, baseUrl: fake!.url }));
}

// An image answer cut off mid-stream: valid-looking JSON start, megabytes of base64, no end.
const BROKEN = `{"data":[{"b64_json":"iVBORw0KGgo${"AAAANSUhEUgAAAQAAAAEACAIAAADTED8x".repeat(4000)}`;

describe("a malformed provider answer", () => {
  it("gives a human message without the raw body, and a short detail", async () => {
    const adapter = await serve({ body: BROKEN, headers: { "content-type": "application/json" } });
    const e = await failure(adapter.submit(request(), ctx()));
    expect(e.code).toBe("invalid_response");
    expect(e.userMessage).toBe("DMXAPI sent an answer Atelier does not understand.");
    expect(e.userMessage).not.toMatch(/b64_json|iVBOR|not JSON/);
    expect(e.detail!.length).toBeLessThanOrEqual(DETAIL_MAX);
    expect(e.detail).toMatch(/^not JSON: \{"data":\[\{"b64_json":"iVBORw0KGgo/);
    expect(e.detail).toMatch(/…$/);
  });

  it("cuts a long provider error to DETAIL_MAX with an ellipsis, after scrubbing the key", async () => {
    const words = `upstream failed for token ${KEY}: ${"the sampler ran out of memory again; ".repeat(30)}`;
    const adapter = await serve({ status: 500, json: { error: { message: words } } });
    const e = await failure(adapter.submit(request(), ctx()));
    expect(e.code).toBe("provider_error");
    expect(e.detail).toMatch(/^HTTP 500: upstream failed for token \[redacted\]: the sampler ran out of memory/);
    expect(e.detail!.length).toBe(DETAIL_MAX);
    expect(e.detail!.endsWith("…")).toBe(true);
  });
});

describe("readableDetail", () => {
  it("leaves short words alone", () => {
    expect(readableDetail("HTTP 502: bad gateway")).toBe("HTTP 502: bad gateway");
  });

  it("shortens encoded data to its first characters and folds whitespace", () => {
    expect(readableDetail(`got {"b64_json": "${"Qk0".repeat(100)}"}\n\n  end`)).toBe(`got {"b64_json": "Qk0Qk0Qk0Qk0…"} end`);
  });
});
