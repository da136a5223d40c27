/**
 * Scripted, realistic stand-ins for the four real providers (loopback only), built on
 * startFakeProvider. Each speaks its provider's documented protocol (shared/provider-docs),
 * checks the Bearer key, makes real PNGs with sharp sized from the request, and records
 * every request so a test can read back exactly what Atelier sent.
 *
 * Faults are scripted two ways: `fake.mode` applies to every request without a plan, and
 * `fake.plan(prompt, {...})` scripts one prompt (so jobs running in parallel against the
 * same fake never disturb each other). Async fakes also have `holding`: while true, every
 * poll answers "still working", whatever the plan says.
 */
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { type FakeProvider, type FakeReply, type RecordedRequest, startFakeProvider } from "./fake-provider";

export type Fault =
  /** 401, echoing the presented key back in the message (as careless providers do). */
  | "unauthorized"
  /** 429 with Retry-After on every submission. */
  | "rate_limited"
  /** 429 with Retry-After on the first submission of a prompt, then a normal answer. */
  | "rate_limited_once"
  /** 500 on the submission. */
  | "server_error"
  /** The content filter refuses: TheRouter and the sync fakes at submission, QuickRouter as a failed prediction. */
  | "moderation"
  /** 200 whose body is not JSON. */
  | "malformed"
  /** The submission is never answered. */
  | "hang"
  /** Async: the job ends with status failed (and `failMessage`). Sync: a 400 with it. */
  | "failed"
  /** The result is a URL that no longer works when Atelier downloads it. */
  | "expired";

export type Plan = {
  fault?: Fault;
  /** Async: the poll (1-based) that first reports the job done. */
  pollsUntilDone?: number;
  /** The provider's words for "failed". */
  failMessage?: string;
  /** Retry-After for the 429 faults (seconds). */
  retryAfter?: string;
  /** The job exists (and is billed) at once, but the submission is answered only after this long (DMXAPI: the image). */
  submitDelayMs?: number;
};

export type Mode = Fault | "ok";

type Base = {
  fake: FakeProvider;
  url: string;
  /** Applies to every request whose prompt has no plan. */
  mode: Mode;
  /** Scripts one prompt (exact text). */
  plan(prompt: string, plan: Plan): void;
  /** Generation/edit submissions in arrival order; only those for `prompt` when given. */
  submissions(prompt?: string): RecordedRequest[];
  /** When a request arrived (ms since the epoch). */
  receivedAt(req: RecordedRequest): number | undefined;
  close(): Promise<void>;
};

export const DEFAULT_FAIL_MESSAGE = "The GPU worker ran out of memory while sampling step 17";

// BFL's published Kontext sizes (about 1 MP, sides multiples of 16); portrait ratios swap them.
const KONTEXT_SIZES: Record<string, [number, number]> = {
  "1:1": [1024, 1024],
  "4:3": [1184, 880],
  "3:2": [1248, 832],
  "16:9": [1392, 752],
  "21:9": [1568, 672],
};

/** The pixel size a provider makes for a ratio ("16:9" or "16x9"). */
export function sizeForRatio(ratio: string): { width: number; height: number } {
  const [w, h] = ratio.split(/[:x]/).map(Number) as [number, number];
  const known = KONTEXT_SIZES[`${w}:${h}`];
  if (known) return { width: known[0], height: known[1] };
  const swapped = KONTEXT_SIZES[`${h}:${w}`];
  if (swapped) return { width: swapped[1], height: swapped[0] };
  const r = w / h;
  const width = Math.round(Math.sqrt(1024 * 1024 * r) / 16) * 16;
  return { width, height: Math.round(width / r / 16) * 16 };
}

/** The Kontext ratio nearest to an input image's shape (what "match input" means upstream). */
function matchInputSize(width: number, height: number): { width: number; height: number } {
  const ratios = ["1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", "9:21"];
  const target = Math.log(width / height);
  const distance = (r: string) => {
    const [a, b] = r.split(":").map(Number) as [number, number];
    return Math.abs(Math.log(a / b) - target);
  };
  return sizeForRatio(ratios.reduce((best, r) => (distance(r) < distance(best) ? r : best)));
}

let imageCounter = 0;
/** A real PNG of the given size; each call has a different colour (so different bytes). */
export async function makePng(width: number, height: number): Promise<Buffer> {
  const n = ++imageCounter;
  const background = { r: (n * 67) % 256, g: (n * 131) % 256, b: (90 + n * 29) % 256 };
  return sharp({ create: { width, height, channels: 3, background } })
    .composite([{ input: { create: { width: Math.max(1, width >> 2), height: Math.max(1, height >> 2), channels: 3, background: { r: 255, g: 255, b: 255 } } }, top: 16, left: 16 }])
    .png()
    .toBuffer();
}

async function dataUriSize(uri: unknown): Promise<{ width: number; height: number } | undefined> {
  if (typeof uri !== "string" || !uri.startsWith("data:")) return undefined;
  const meta = await sharp(Buffer.from(uri.replace(/^data:[^;,]+;base64,/, ""), "base64")).metadata();
  return meta.width && meta.height ? { width: meta.width, height: meta.height } : undefined;
}

const newId = (prefix: string) => `${prefix}${randomBytes(8).toString("hex")}`;

/**
 * What every fake shares: plans, the per-prompt 429 counter, the key check, and the
 * submission-phase faults (each fake spells the error bodies its provider's way).
 */
function scaffold(opts: { key?: string; isSubmission: (req: RecordedRequest) => boolean; promptOf: (req: RecordedRequest) => string | undefined }) {
  const plans = new Map<string, Plan>();
  const rateLimited = new Map<string, number>();
  const state = { mode: "ok" as Mode };
  const planFor = (prompt: string | undefined): Plan => {
    const scripted = prompt === undefined ? undefined : plans.get(prompt);
    return scripted ?? (state.mode === "ok" ? {} : { fault: state.mode });
  };
  const token = (req: RecordedRequest) => String(req.headers.authorization ?? "").replace(/^Bearer /, "");
  /** True when the request carries the expected key (any key is accepted when none is set). */
  const authorized = (req: RecordedRequest) => /^Bearer \S+$/.test(String(req.headers.authorization ?? "")) && (!opts.key || token(req) === opts.key);
  /** The submission-phase fault to answer with, or undefined to go on normally. */
  const submitFault = (plan: Plan, prompt: string): Fault | undefined => {
    switch (plan.fault) {
      case "rate_limited_once": {
        const seen = (rateLimited.get(prompt) ?? 0) + 1;
        rateLimited.set(prompt, seen);
        return seen === 1 ? "rate_limited" : undefined;
      }
      case "unauthorized":
      case "rate_limited":
      case "server_error":
      case "moderation":
      case "malformed":
      case "hang":
        return plan.fault;
      default:
        return undefined;
    }
  };
  return { plans, state, planFor, token, authorized, submitFault, ...opts };
}

function base(fake: FakeProvider, s: ReturnType<typeof scaffold>): Base {
  return {
    fake,
    url: fake.url,
    get mode() {
      return s.state.mode;
    },
    set mode(mode: Mode) {
      s.state.mode = mode;
    },
    plan: (prompt, plan) => void s.plans.set(prompt, plan),
    submissions: (prompt) => fake.requests.filter((r) => s.isSubmission(r) && (prompt === undefined || s.promptOf(r) === prompt)),
    receivedAt: (req) => req.receivedAt,
    close: () => fake.close(),
  };
}

const MALFORMED: FakeReply = { status: 200, headers: { "content-type": "application/json" }, body: '{"id": "img_trunc", "status": "que' };

// ---------------------------------------------------------------------------------------
// TheRouter (document 000): async jobs. 202 {id:"img_…", status:"queued", polling_url},
// then GET /v1/jobs/{id} → queued/in_progress → succeeded with unsigned_urls[0].

type TheRouterJob = { id: string; prompt: string; plan: Plan; width: number; height: number; polls: number; result?: unknown };

export type TheRouterFake = Base & {
  /** While true, every poll answers in_progress. */
  holding: boolean;
  /** The provider job id handed out for a prompt (the first one). */
  jobIdFor(prompt: string): string | undefined;
  /** GET /v1/jobs/{id} requests, all or for one id. */
  polls(id?: string): RecordedRequest[];
};

export async function fakeTheRouter(opts: { key?: string; pollsUntilDone?: number } = {}): Promise<TheRouterFake> {
  const defaultPolls = opts.pollsUntilDone ?? 2;
  const jobs = new Map<string, TheRouterJob>();
  const s = scaffold({
    key: opts.key,
    isSubmission: (r) => r.method === "POST" && (r.path === "/v1/images/generations" || r.path === "/v1/images/edits"),
    promptOf: (r) => (r.json?.prompt ?? r.form?.get("prompt") ?? undefined) as string | undefined,
  });
  let api: TheRouterFake | undefined;
  const error = (status: number, message: string, headers?: Record<string, string>): FakeReply => ({
    status,
    headers,
    json: { error: { message, type: status === 401 ? "authentication_error" : "invalid_request_error" } },
  });

  const fake = await startFakeProvider(async (req, fake) => {
    if (!s.authorized(req)) return error(401, `Invalid API key provided: ${s.token(req) || "(none)"}`);
    if (s.isSubmission(req)) {
      if (req.query.get("async") !== "true") return error(400, "This fake only serves ?async=true");
      const prompt = s.promptOf(req);
      const size = String(req.json?.size ?? req.form?.get("size") ?? "");
      if (!prompt || !/^\d+x\d+$/.test(size)) return error(400, "prompt and size (WxH) are required");
      if (req.path === "/v1/images/edits" && !(req.form?.get("image") instanceof Blob)) return error(400, "image is required for edits");
      const plan = s.planFor(prompt);
      switch (s.submitFault(plan, prompt)) {
        case "unauthorized":
          return error(401, `Invalid API key provided: ${s.token(req)}`);
        case "rate_limited":
          return error(429, "Rate limit exceeded: 10 requests per minute", { "Retry-After": plan.retryAfter ?? "1" });
        case "server_error":
          return error(500, "upstream exploded (SiliconFlow 502)");
        case "moderation":
          return error(400, "Your request was flagged by our content moderation system (NSFW)");
        case "malformed":
          return MALFORMED;
        case "hang":
          return { hang: true };
      }
      const [width, height] = size.split("x").map(Number) as [number, number];
      const id = newId("img_");
      jobs.set(id, { id, prompt, plan, width, height, polls: 0 });
      return { status: 202, delayMs: plan.submitDelayMs, json: { id, object: "image.job", status: "queued", polling_url: `${fake.url}/v1/jobs/${id}` } };
    }
    const match = req.method === "GET" && /^\/v1\/jobs\/([^/]+)$/.exec(req.path);
    if (!match) return error(404, `No route for ${req.method} ${req.path}`);
    const job = jobs.get(decodeURIComponent(match[1]!));
    if (!job) return error(404, "job not found");
    job.polls++;
    if (job.result) return { status: 200, json: job.result };
    if (api?.holding || job.polls < (job.plan.pollsUntilDone ?? defaultPolls)) {
      return { status: 200, json: { id: job.id, status: "in_progress" } };
    }
    if (job.plan.fault === "failed") {
      job.result = { id: job.id, status: "failed", error: { message: job.plan.failMessage ?? DEFAULT_FAIL_MESSAGE } };
    } else {
      const name = `${job.id}.png`;
      const url = fake.serveFile(name, await makePng(job.width, job.height));
      if (job.plan.fault === "expired") fake.expire(name); // the presigned URL lapsed before Atelier came
      job.result = { id: job.id, status: "succeeded", unsigned_urls: [url] };
    }
    return { status: 200, json: job.result };
  });

  api = Object.assign(base(fake, s), {
    holding: false,
    jobIdFor: (prompt: string) => [...jobs.values()].find((j) => j.prompt === prompt)?.id,
    polls: (id?: string) => fake.calls("GET", "/v1/jobs/").filter((r) => id === undefined || r.path === `/v1/jobs/${id}`),
  });
  return api;
}

// ---------------------------------------------------------------------------------------
// QuickRouter (document 003, Replicate's protocol): 201 {id, status:"starting", urls},
// GET /replicate/v1/predictions/{id} → processing → succeeded with `output` (one URL);
// POST …/{id}/cancel → canceled. Errors are {detail}.

type Prediction = { id: string; prompt: string; plan: Plan; model: string; input: unknown; width: number; height: number; polls: number; status: string; output?: string; error?: string };

export type QuickRouterFake = Base & {
  holding: boolean;
  predictionIdFor(prompt: string): string | undefined;
  polls(id?: string): RecordedRequest[];
  /** POST /replicate/v1/predictions/{id}/cancel requests, all or for one id. */
  cancels(id?: string): RecordedRequest[];
};

export async function fakeQuickRouter(opts: { key?: string; pollsUntilDone?: number } = {}): Promise<QuickRouterFake> {
  const defaultPolls = opts.pollsUntilDone ?? 2;
  const predictions = new Map<string, Prediction>();
  const CREATE = /^\/replicate\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/;
  const s = scaffold({
    key: opts.key,
    isSubmission: (r) => r.method === "POST" && CREATE.test(r.path),
    promptOf: (r) => r.json?.input?.prompt as string | undefined,
  });
  let api: QuickRouterFake | undefined;
  const detail = (status: number, text: string, headers?: Record<string, string>): FakeReply => ({ status, headers, json: { detail: text } });
  const view = (p: Prediction, base: string) => ({
    id: p.id,
    model: p.model,
    version: "hidden",
    input: p.input,
    logs: "",
    output: p.output ?? null,
    error: p.error ?? null,
    status: p.status,
    created_at: new Date().toISOString(),
    urls: { get: `${base}/replicate/v1/predictions/${p.id}`, cancel: `${base}/replicate/v1/predictions/${p.id}/cancel` },
  });

  const fake = await startFakeProvider(async (req, fake) => {
    if (!s.authorized(req)) return detail(401, "You did not pass a valid authentication token");
    const create = req.method === "POST" && CREATE.exec(req.path);
    if (create) {
      const input = req.json?.input as Record<string, unknown> | undefined;
      const prompt = s.promptOf(req);
      if (!input || !prompt) return detail(422, "input.prompt is required");
      const plan = s.planFor(prompt);
      switch (s.submitFault(plan, prompt)) {
        case "unauthorized":
          return detail(401, `Invalid token: ${s.token(req)}`);
        case "rate_limited":
          return detail(429, "Request was throttled. Expected available in 1 second.", { "Retry-After": plan.retryAfter ?? "1" });
        case "server_error":
          return detail(500, "Internal server error");
        case "malformed":
          return MALFORMED;
        case "hang":
          return { hang: true };
      }
      const ratio = String(input.aspect_ratio ?? "match_input_image");
      let size: { width: number; height: number };
      if (ratio === "match_input_image") {
        const inputSize = await dataUriSize(input.input_image);
        size = inputSize ? matchInputSize(inputSize.width, inputSize.height) : sizeForRatio("1:1");
      } else {
        size = sizeForRatio(ratio);
      }
      const id = newId("qr").slice(0, 22);
      const p: Prediction = { id, prompt, plan, model: `${create[1]}/${create[2]}`, input, ...size, polls: 0, status: "starting" };
      predictions.set(id, p);
      return { status: 201, delayMs: plan.submitDelayMs, json: view(p, fake.url) };
    }
    const cancel = req.method === "POST" && /^\/replicate\/v1\/predictions\/([^/]+)\/cancel$/.exec(req.path);
    if (cancel) {
      const p = predictions.get(decodeURIComponent(cancel[1]!));
      if (!p) return detail(404, "Prediction not found");
      if (!["succeeded", "failed"].includes(p.status)) p.status = "canceled";
      return { status: 200, json: view(p, fake.url) };
    }
    const get = req.method === "GET" && /^\/replicate\/v1\/predictions\/([^/]+)$/.exec(req.path);
    if (!get) return detail(404, `No route for ${req.method} ${req.path}`);
    const p = predictions.get(decodeURIComponent(get[1]!));
    if (!p) return detail(404, "Prediction not found");
    p.polls++;
    if (["starting", "processing"].includes(p.status)) {
      if (api?.holding || p.polls < (p.plan.pollsUntilDone ?? defaultPolls)) {
        p.status = "processing";
      } else if (p.plan.fault === "failed") {
        p.status = "failed";
        p.error = p.plan.failMessage ?? DEFAULT_FAIL_MESSAGE;
      } else if (p.plan.fault === "moderation") {
        p.status = "failed";
        p.error = "NSFW content detected. Try running it again, or try a different prompt.";
      } else {
        const name = `${p.id}.png`;
        p.output = fake.serveFile(name, await makePng(p.width, p.height));
        if (p.plan.fault === "expired") fake.expire(name);
        p.status = "succeeded";
      }
    }
    return { status: 200, json: view(p, fake.url) };
  });

  api = Object.assign(base(fake, s), {
    holding: false,
    predictionIdFor: (prompt: string) => [...predictions.values()].find((p) => p.prompt === prompt)?.id,
    polls: (id?: string) =>
      fake.calls("GET", "/replicate/v1/predictions/").filter((r) => id === undefined || r.path === `/replicate/v1/predictions/${id}`),
    cancels: (id?: string) =>
      fake.calls("POST", "/replicate/v1/predictions/").filter((r) => r.path.endsWith("/cancel") && (id === undefined || r.path === `/replicate/v1/predictions/${id}/cancel`)),
  });
  return api;
}

// ---------------------------------------------------------------------------------------
// DMXAPI (document 001): sync POST /v1/images/generations, size written "16x9", n must be 1,
// answers 200 {data:[{b64_json}]}.

export type DmxapiFake = Base;

export async function fakeDmxapi(opts: { key?: string } = {}): Promise<DmxapiFake> {
  const s = scaffold({
    key: opts.key,
    isSubmission: (r) => r.method === "POST" && r.path === "/v1/images/generations",
    promptOf: (r) => r.json?.prompt as string | undefined,
  });
  const error = (status: number, message: string, headers?: Record<string, string>): FakeReply => ({
    status,
    headers,
    json: { error: { message, type: "dmxapi_error", code: status } },
  });
  const SIZES = ["1x1", "2x3", "3x2", "3x4", "4x3", "9x16", "16x9"];

  const fake = await startFakeProvider(async (req, fake) => {
    if (!s.authorized(req)) return error(401, "无效的令牌 (invalid token)");
    if (!s.isSubmission(req)) return error(404, `No route for ${req.method} ${req.path}`);
    const body = req.json as Record<string, unknown> | undefined;
    const prompt = s.promptOf(req);
    if (!body || !prompt) return error(400, "prompt is required");
    if (body.n !== undefined && body.n !== 1) return error(400, "n 只能为 1 (n must be 1)");
    if (!SIZES.includes(String(body.size))) return error(400, `unsupported size ${String(body.size)}`);
    const plan = s.planFor(prompt);
    switch (s.submitFault(plan, prompt)) {
      case "unauthorized":
        return error(401, `无效的令牌 ${s.token(req)}`);
      case "rate_limited":
        return error(429, "当前分组上游负载已饱和，请稍后再试 (rate limited)", { "Retry-After": plan.retryAfter ?? "1" });
      case "server_error":
        return error(500, "upstream error: bad gateway");
      case "moderation":
        return error(400, "Your prompt contains sensitive words and was rejected");
      case "malformed":
        return MALFORMED;
      case "hang":
        return { hang: true };
    }
    if (plan.fault === "failed") return error(400, plan.failMessage ?? DEFAULT_FAIL_MESSAGE);
    const { width, height } = sizeForRatio(String(body.size));
    const png = await makePng(width, height);
    if (plan.fault === "expired") {
      const name = `${newId("dmx_")}.png`;
      const url = fake.serveFile(name, png);
      fake.expire(name);
      return { status: 200, json: { created: Math.floor(Date.now() / 1000), data: [{ url }] } };
    }
    return {
      status: 200,
      delayMs: plan.submitDelayMs,
      json: { created: Math.floor(Date.now() / 1000), data: [{ b64_json: png.toString("base64") }] },
    };
  });
  return base(fake, s);
}

// ---------------------------------------------------------------------------------------
// Modelverse (document 002): sync, OpenAI-compatible POST /v1/images/generations answering
// {created, data:[{b64_json:"data:image/png;base64,…"}]} (or url), errors {error:{message,type,param,code}}.

export type ModelverseFake = Base;

export async function fakeModelverse(opts: { key?: string } = {}): Promise<ModelverseFake> {
  const s = scaffold({
    key: opts.key,
    isSubmission: (r) => r.method === "POST" && r.path === "/v1/images/generations",
    promptOf: (r) => r.json?.prompt as string | undefined,
  });
  const error = (status: number, message: string, type: string, code: string, headers?: Record<string, string>): FakeReply => ({
    status,
    headers,
    json: { error: { message, type, param: newId("req-"), code } },
  });
  const RATIOS = ["21:9", "16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:21"];

  const fake = await startFakeProvider(async (req, fake) => {
    if (!s.authorized(req)) return error(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key");
    if (!s.isSubmission(req)) return error(404, `No route for ${req.method} ${req.path}`, "invalid_request_error", "not_found");
    const body = req.json as Record<string, unknown> | undefined;
    const prompt = s.promptOf(req);
    if (!body || !prompt || typeof body.model !== "string") return error(400, "model and prompt are required", "invalid_request_error", "invalid_parameter");
    const n = body.n === undefined ? 1 : Number(body.n);
    if (!Number.isInteger(n) || n < 1 || n > 4) return error(400, "n must be between 1 and 4", "invalid_request_error", "invalid_parameter");
    const ratio = String(body.aspect_ratio ?? "1:1");
    if (!RATIOS.includes(ratio)) return error(400, `aspect_ratio ${ratio} is not supported`, "invalid_request_error", "invalid_parameter");
    const plan = s.planFor(prompt);
    switch (s.submitFault(plan, prompt)) {
      case "unauthorized":
        return error(401, `Incorrect API key provided: ${s.token(req)}`, "invalid_request_error", "invalid_api_key");
      case "rate_limited":
        return error(429, "Rate limit reached for requests", "rate_limit_error", "rate_limit_exceeded", { "Retry-After": plan.retryAfter ?? "1" });
      case "server_error":
        return error(500, "The server had an error while processing your request", "server_error", "internal_error");
      case "moderation":
        // Modelverse answers some refusals with a 200 carrying `error` instead of `data`.
        return { status: 200, json: { created: Math.floor(Date.now() / 1000), error: { message: "Your request was rejected by the safety system", type: "content_policy_violation", param: newId("req-"), code: "content_filter" } } };
      case "malformed":
        return MALFORMED;
      case "hang":
        return { hang: true };
    }
    if (plan.fault === "failed") return error(400, plan.failMessage ?? DEFAULT_FAIL_MESSAGE, "invalid_request_error", "generation_failed");
    const { width, height } = sizeForRatio(ratio);
    const data = [];
    for (let i = 0; i < n; i++) {
      const png = await makePng(width, height);
      if (plan.fault === "expired" || body.response_format !== "b64_json") {
        const name = `${newId("mv_")}.png`;
        const url = fake.serveFile(name, png);
        if (plan.fault === "expired") fake.expire(name);
        data.push({ url });
      } else {
        data.push({ b64_json: `data:image/png;base64,${png.toString("base64")}` });
      }
    }
    return { status: 200, json: { created: Math.floor(Date.now() / 1000), data } };
  });
  return base(fake, s);
}
