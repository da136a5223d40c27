/**
 * Changing ATELIER_PASSWORD (and restarting) shuts everyone out who got in with the old one:
 * their sessions and API tokens end. A restart with the same password keeps them. What the
 * database keeps to tell the two apart is a salted hash, never the password.
 */
import { afterAll, expect, it } from "vitest";
import { startServer, type TestServer } from "../support/server";
import { storedText } from "../support/stored";

const OLD = "the first shared password";
const NEW = "a second shared password";
let server: TestServer | undefined;

afterAll(async () => {
  await server?.stop();
});

async function restartWith(password: string): Promise<TestServer> {
  const prev = server!;
  const owns = prev.ownsDataDir;
  prev.ownsDataDir = false; // the data (and on the scale-out run, its database and bucket) outlives this process
  await prev.stop();
  server = await startServer({ dataDir: prev.dataDir, env: { ...prev.env, ATELIER_PASSWORD: password }, ownsDataDir: owns, readyPath: "/login" });
  return server;
}

async function signIn(password: string): Promise<string | undefined> {
  const res = await fetch(`${server!.url}/api/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ password }).toString(),
  });
  await res.arrayBuffer();
  return /atelier_session=([^;]+)/.exec(res.headers.getSetCookie().join("\n"))?.[1];
}

async function statusWith(headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${server!.url}/api/jobs`, { headers });
  await res.arrayBuffer();
  return res.status;
}

it("a new ATELIER_PASSWORD ends the old one's sessions and tokens at the next start; the same one keeps them", async () => {
  server = await startServer({ env: { ATELIER_PASSWORD: OLD }, readyPath: "/login" });
  const cookie = { cookie: `atelier_session=${await signIn(OLD)}` };
  const made = await fetch(`${server.url}/api/tokens`, { method: "POST", headers: { ...cookie, "content-type": "application/json" }, body: JSON.stringify({ name: "sync" }) });
  expect(made.status).toBe(201);
  const bearer = { authorization: `Bearer ${(await made.json()).token}` };

  await restartWith(OLD);
  expect(await statusWith(cookie)).toBe(200);
  expect(await statusWith(bearer)).toBe(200);
  expect(server.logs()).not.toContain("ATELIER_PASSWORD changed");

  await restartWith(NEW);
  expect(await statusWith(cookie)).toBe(401);
  expect(await statusWith(bearer)).toBe(401);
  expect(server.logs()).toContain("ATELIER_PASSWORD changed: 1 session(s) and 1 API token(s) made with the old one were ended.");
  expect(await signIn(OLD)).toBeUndefined();
  const fresh = { cookie: `atelier_session=${await signIn(NEW)}` };
  expect(await statusWith(fresh)).toBe(200);

  const stored = await storedText(server, ["Setting", "Session", "ApiToken"]);
  expect(stored).toContain("scrypt$");
  for (const password of [OLD, NEW]) expect(stored).not.toContain(password);
}, 120_000);
