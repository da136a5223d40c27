import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for a remote provider (loopback only). Tests script its answers and
 * read back exactly what Atelier sent. It stands in for the provider, never for our code.
 */

export type RecordedRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  /** Parsed JSON body, when the body was JSON. */
  json?: any;
  /** Parsed multipart parts, when the body was multipart/form-data. */
  form?: FormData;
  /** When the request arrived, and when the exchange ended (answered, or the caller hung up): ms since the epoch. */
  receivedAt: number;
  endedAt?: number;
};

export type FakeReply =
  | { status?: number; json?: unknown; body?: string | Buffer; headers?: Record<string, string>; delayMs?: number }
  | { hang: true }
  | { destroy: true };

export type FakeHandler = (req: RecordedRequest, fake: FakeProvider) => FakeReply | Promise<FakeReply>;

export type FakeProvider = {
  url: string;
  requests: RecordedRequest[];
  /** Requests whose method and path match. */
  calls(method: string, pathPrefix: string): RecordedRequest[];
  /** Serves bytes at `${url}/files/${name}` until `expire(name)`. */
  serveFile(name: string, bytes: Buffer, mime?: string): string;
  expire(name: string): void;
  setHandler(handler: FakeHandler): void;
  close(): Promise<void>;
};

export async function startFakeProvider(handler: FakeHandler): Promise<FakeProvider> {
  const files = new Map<string, { bytes: Buffer; mime: string }>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import("node:net").Socket>();
  let current = handler;

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "GET" && url.pathname.startsWith("/files/")) {
      const file = files.get(decodeURIComponent(url.pathname.slice("/files/".length)));
      if (!file) return void res.writeHead(404, { "content-type": "text/plain" }).end("gone");
      return void res.writeHead(200, { "content-type": file.mime }).end(file.bytes);
    }
    const type = String(req.headers["content-type"] ?? "");
    const recorded: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, raw, receivedAt: Date.now() };
    res.once("close", () => (recorded.endedAt = Date.now()));
    if (type.includes("application/json")) {
      try {
        recorded.json = JSON.parse(raw.toString("utf8"));
      } catch {
        recorded.json = undefined;
      }
    } else if (type.includes("multipart/form-data")) {
      recorded.form = await new Response(raw, { headers: { "content-type": type } }).formData();
    }
    requests.push(recorded);
    const reply = await current(recorded, fake);
    if ("hang" in reply) return; // never answer: the client's timeout must fire
    if ("destroy" in reply) return void req.socket.destroy();
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    const headers: Record<string, string> = { ...reply.headers };
    let body: string | Buffer = reply.body ?? "";
    if (reply.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(reply.json);
    }
    res.writeHead(reply.status ?? 200, headers).end(body);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeProvider = {
    url,
    requests,
    calls: (method, pathPrefix) => requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix)),
    serveFile(name, bytes, mime = "image/png") {
      files.set(name, { bytes, mime });
      return `${url}/files/${encodeURIComponent(name)}`;
    },
    expire: (name) => void files.delete(name),
    setHandler: (next) => void (current = next),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return fake;
}

/** A port on which nothing listens: connections are refused. */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
