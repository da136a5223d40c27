import { describe, expect, it } from "vitest";
import { readableDetail } from "@/lib/providers/types";

/**
 * A provider's raw words cut to something readable. How a malformed answer or a long error
 * reads on a failed job, for every adapter, is in the provider contract (./contract.ts).
 */

describe("readableDetail", () => {
  it("leaves short words alone", () => {
    expect(readableDetail("HTTP 502: bad gateway")).toBe("HTTP 502: bad gateway");
  });

  it("shortens encoded data to its first characters and folds whitespace", () => {
    expect(readableDetail(`got {"b64_json": "${"Qk0".repeat(100)}"}\n\n  end`)).toBe(`got {"b64_json": "Qk0Qk0Qk0Qk0…"} end`);
  });
});
