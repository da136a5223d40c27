/**
 * A studio in open mode (no password, no accounts) that an operator turns into a team: once the
 * first account exists, nothing is open any more, not even a tab's event stream that was already
 * connected, while the invite link itself still opens.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { inviteLink, userCli } from "../support/accounts";
import { startServer, type TestServer } from "../support/server";
import { until } from "../support/wait";

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { DEMO_DELAY_MS: "100" } });
});

afterAll(async () => {
  await server?.stop();
});

const statusOf = async (path: string) => {
  const res = await fetch(`${server.url}${path}`, { redirect: "manual" });
  await res.arrayBuffer();
  return res.status;
};

it("the first account closes the open studio to everyone without a session, open event streams included", async () => {
  expect(await statusOf("/api/jobs")).toBe(200);
  const stream = await fetch(`${server.url}/api/events`);
  expect(stream.status).toBe(200);
  const reader = stream.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("event: ready")) {
    const { value, done } = await reader.read();
    expect(done, text).toBe(false);
    text += decoder.decode(value);
  }

  const added = await userCli(server, ["add", "owner@studio.example", "--admin"]);
  expect(added.code, added.stderr).toBe(0);
  // Each process reads "are there accounts?" at most every 2 s.
  await until("the API asks for sign-in", async () => (await statusOf("/api/jobs")) === 401);
  expect(await statusOf("/")).toBe(303);
  expect(await statusOf(new URL(inviteLink(added.stdout)).pathname)).toBe(200);

  const ends = (async () => {
    while (!(await reader.read()).done); // keepalives may come first
    return true;
  })();
  const late = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000));
  const ended = await Promise.race([ends, late]);
  if (!ended) await reader.cancel();
  expect(ended, "the open stream ends within 15 s").toBe(true);
}, 60_000);
