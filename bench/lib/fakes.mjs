// Minimal loopback stand-ins for the four HTTP providers, speaking just enough of each
// protocol for a successful job (the contract tests in tests/support/provider-fakes.ts
// cover the faults). Each records, per prompt, when the call arrived and when the answer
// left, on this process's clock, and answers after `latencyMs` (sync) or reports the job
// done `latencyMs` after submission (async). Bounded: at most MAX_REQUESTS per fake.
import http from "node:http";
import { randomBytes } from "node:crypto";
import { nowMs, onCleanup } from "./util.mjs";

export const BENCH_KEY = "bench-key-not-secret";
const MAX_REQUESTS = 20_000;

/**
 * @param {"dmxapi"|"modelverse"|"therouter"|"quickrouter"} kind
 * @param {{ image: (prompt: string, index: number) => Buffer | Promise<Buffer> }} opts
 */
export async function startFake(kind, opts) {
  const timings = new Map(); // prompt -> { receivedAt, sentAt }
  const calls = new Map(); // prompt -> submissions received (more than one = a job sent twice)
  const waiters = new Map(); // prompt -> resolve(sentAt)
  const files = new Map();
  const jobs = new Map();
  let count = 0;
  const fake = {
    kind,
    url: "",
    latencyMs: 0,
    image: opts.image,
    timings,
    calls,
    requests: () => count,
    /** Resolves with the time the answer for `prompt` was sent (the final answer, for async). */
    whenSent(prompt) {
      const t = timings.get(prompt);
      if (t?.sentAt) return Promise.resolve(t.sentAt);
      return new Promise((resolve) => waiters.set(prompt, resolve));
    },
    reset() {
      timings.clear();
      calls.clear();
      waiters.clear();
      files.clear();
      jobs.clear();
    },
  };

  const received = (prompt, at) => {
    if (prompt) calls.set(prompt, (calls.get(prompt) ?? 0) + 1);
    if (prompt && !timings.has(prompt)) timings.set(prompt, { receivedAt: at });
  };
  const sent = (prompt) => {
    const at = nowMs();
    const t = timings.get(prompt);
    if (t && !t.sentAt) t.sentAt = at;
    waiters.get(prompt)?.(at);
    waiters.delete(prompt);
  };
  const json = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
  };
  const later = (ms) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
  const serveFile = (name, bytes) => {
    files.set(name, bytes);
    return `${fake.url}/files/${name}`;
  };

  const server = http.createServer(async (req, res) => {
    const arrivedAt = nowMs();
    try {
      if (++count > MAX_REQUESTS) return json(res, 503, { error: { message: "bench fake: request budget exhausted" } });
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const url = new URL(req.url ?? "/", "http://fake");
      if (req.method === "GET" && url.pathname.startsWith("/files/")) {
        const bytes = files.get(url.pathname.slice(7));
        if (!bytes) return json(res, 404, { error: { message: "gone" } });
        res.writeHead(200, { "content-type": "image/png", "content-length": bytes.length }).end(bytes);
        return;
      }
      if (req.headers.authorization !== `Bearer ${BENCH_KEY}`) return json(res, 401, { error: { message: "bad key" } });
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
      await handlers[kind](req, res, url, body, arrivedAt);
    } catch (error) {
      if (!res.headersSent) json(res, 500, { error: { message: `bench fake crashed: ${error?.message ?? error}` } });
    }
  });

  const handlers = {
    async dmxapi(req, res, url, body, arrivedAt) {
      if (req.method !== "POST" || url.pathname !== "/v1/images/generations") return json(res, 404, { error: { message: "no route" } });
      received(body.prompt, arrivedAt);
      const png = await fake.image(body.prompt, 0);
      await later(fake.latencyMs);
      const answer = { created: Math.floor(Date.now() / 1000), data: [{ b64_json: png.toString("base64") }] };
      sent(body.prompt);
      json(res, 200, answer);
    },
    async modelverse(req, res, url, body, arrivedAt) {
      if (req.method !== "POST" || url.pathname !== "/v1/images/generations") return json(res, 404, { error: { message: "no route" } });
      received(body.prompt, arrivedAt);
      const data = [];
      for (let i = 0; i < (body.n ?? 1); i++) data.push({ b64_json: `data:image/png;base64,${(await fake.image(body.prompt, i)).toString("base64")}` });
      await later(fake.latencyMs);
      sent(body.prompt);
      json(res, 200, { created: Math.floor(Date.now() / 1000), data });
    },
    async therouter(req, res, url, body, arrivedAt) {
      if (req.method === "POST" && url.pathname === "/v1/images/generations") {
        received(body.prompt, arrivedAt);
        const id = `img_${randomBytes(8).toString("hex")}`;
        jobs.set(id, { prompt: body.prompt, doneAt: Date.now() + fake.latencyMs });
        return json(res, 202, { id, object: "image.job", status: "queued", polling_url: `${fake.url}/v1/jobs/${id}` });
      }
      const m = req.method === "GET" && /^\/v1\/jobs\/([^/]+)$/.exec(url.pathname);
      const job = m && jobs.get(m[1]);
      if (!job) return json(res, 404, { error: { message: "job not found" } });
      if (Date.now() < job.doneAt) return json(res, 200, { id: m[1], status: "in_progress" });
      job.url ??= serveFile(`${m[1]}.png`, await fake.image(job.prompt, 0));
      sent(job.prompt);
      json(res, 200, { id: m[1], status: "succeeded", unsigned_urls: [job.url] });
    },
    async quickrouter(req, res, url, body, arrivedAt) {
      if (req.method === "POST" && /^\/replicate\/v1\/models\/[^/]+\/[^/]+\/predictions$/.test(url.pathname)) {
        const prompt = body?.input?.prompt;
        received(prompt, arrivedAt);
        const id = randomBytes(10).toString("hex");
        jobs.set(id, { prompt, doneAt: Date.now() + fake.latencyMs });
        return json(res, 201, { id, status: "starting", urls: {} });
      }
      const m = req.method === "GET" && /^\/replicate\/v1\/predictions\/([^/]+)$/.exec(url.pathname);
      const job = m && jobs.get(m[1]);
      if (!job) return json(res, 404, { detail: "Not found." });
      if (Date.now() < job.doneAt) return json(res, 200, { id: m[1], status: "processing" });
      job.url ??= serveFile(`${m[1]}.png`, await fake.image(job.prompt, 0));
      sent(job.prompt);
      json(res, 200, { id: m[1], status: "succeeded", output: job.url });
    },
  };

  const sockets = new Set();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${server.address().port}`;
  const close = () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  const remove = onCleanup(close);
  fake.close = async () => {
    remove();
    await close();
  };
  return fake;
}

/** The server env that points every HTTP provider at its fake. */
export function fakeEnv(fakes) {
  const env = {};
  for (const [kind, fake] of Object.entries(fakes)) {
    const prefix = kind.toUpperCase();
    env[`${prefix}_API_KEY`] = BENCH_KEY;
    env[`${prefix}_BASE_URL`] = fake.url;
  }
  return env;
}
