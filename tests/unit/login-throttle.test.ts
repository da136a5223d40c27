import { beforeEach, describe, expect, it, vi } from "vitest";
import { useFreshDataDir } from "../support/test-db";

useFreshDataDir();
const load = () => import("@/lib/login-throttle");

beforeEach(async () => {
  await (await import("@/lib/db")).db().loginAttempt.deleteMany();
});

describe("sign-in throttle", () => {
  const t0 = 1_800_000_000_000;

  it("blocks a client after 5 wrong passwords in 10 minutes, and lets it try again later", async () => {
    const throttle = await load();
    for (let i = 0; i < 4; i++) await throttle.recordLoginFailure("1.2.3.4", t0 + i * 1000);
    expect(await throttle.loginBlockedFor("1.2.3.4", t0 + 5000)).toBe(0);
    await throttle.recordLoginFailure("1.2.3.4", t0 + 5000);
    expect(await throttle.loginBlockedFor("1.2.3.4", t0 + 6000)).toBeGreaterThan(0);
    expect(await throttle.loginBlockedFor("5.6.7.8", t0 + 6000)).toBe(0);
    expect(await throttle.loginBlockedFor("1.2.3.4", t0 + 10 * 60_000 + 1)).toBe(0);
  });

  it("holds for another server process: the count lives in the database, not in a module", async () => {
    const first = await load();
    for (let i = 0; i < 5; i++) await first.recordLoginFailure("any", t0 + i);
    // A fresh copy of the module (as in a second process) starts with no memory of its own.
    vi.resetModules();
    const second = await load();
    expect(second).not.toBe(first);
    expect(await second.loginBlockedFor("any", t0 + 1000)).toBeGreaterThan(0);
    await second.clearLoginFailures("any");
    expect(await first.loginBlockedFor("any", t0 + 1000)).toBe(0);
  });
});
