/**
 * A loopback pass-through in front of a fake provider that holds each answer back for a
 * while and records when every request arrived and when its answer left. Used where a fake
 * has no latency knob of its own (fakeModelverse ignores a plan's submitDelayMs), so a sync
 * call takes as long as a real one and the in-flight window can be measured exactly.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";

export type ProxiedCall = { method: string; path: string; status: number; receivedAt: number; answeredAt: number };

export type LatencyProxy = {
  url: string;
  calls: ProxiedCall[];
  close(): Promise<void>;
};

/** Forwards everything to `target`; answers `delayMs(method, path)` ms after the target did. */
export async function startLatencyProxy(target: string, delayMs: (method: string, path: string) => number): Promise<LatencyProxy> {
  const calls: ProxiedCall[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer(async (req, res) => {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? "GET";
    const url = req.url ?? "/";
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || ["host", "connection", "content-length", "transfer-encoding"].includes(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    let status = 502;
    let body: Buffer = Buffer.from("proxy: the fake did not answer");
    let type = "text/plain";
    try {
      const upstream = await fetch(`${target}${url}`, {
        method,
        headers,
        body: method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks),
      });
      status = upstream.status;
      type = upstream.headers.get("content-type") ?? "application/octet-stream";
      body = Buffer.from(await upstream.arrayBuffer());
    } catch {
      // answered with the 502 above
    }
    const delay = delayMs(method, new URL(url, "http://proxy").pathname);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (res.destroyed) return; // the client went away meanwhile (e.g. the server was killed)
    res.writeHead(status, { "content-type": type }).end(body, () => {
      calls.push({ method, path: new URL(url, "http://proxy").pathname, status, receivedAt, answeredAt: Date.now() });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
