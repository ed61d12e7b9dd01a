import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request the proxy holds: who sent it (the client's port, to find its process) and whether that client hung up. */
export type HeldRequest = { method: string; path: string; clientPort: number; gone: () => boolean };

/**
 * A real HTTP server in front of a third party's API (the demo CRM) that can
 * make chosen calls hang until released: a client system stuck mid-answer,
 * so that a worker can be killed while it waits. Everything else passes
 * straight through. A released call still reaches the far side when its
 * client has gone meanwhile: the CRM did the work, only the answer is lost
 * (the harder case for whoever takes the job over).
 */
export async function startStallingProxy(target: string) {
  let holding: ((method: string, path: string) => boolean) | null = null;
  const held: HeldRequest[] = [];
  let waiting: (() => void)[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const out = httpRequest(new URL(req.url ?? "/", target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on("error", () => res.destroy());
    out.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = new URL(req.url ?? "/", "http://proxy.local").pathname;
      if (!holding?.(req.method ?? "GET", path)) return forward(req, res, body);
      let closed = false;
      req.socket.once("close", () => (closed = true));
      held.push({ method: req.method ?? "GET", path, clientPort: req.socket.remotePort ?? 0, gone: () => closed });
      waiting.push(() => forward(req, res, body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** every call held so far, oldest first */
    held,
    /** from now on, calls for which `which` is true hang */
    stall(which: (method: string, path: string) => boolean) {
      holding = which;
    },
    /** stops holding and lets the held calls through */
    release() {
      holding = null;
      const go = waiting;
      waiting = [];
      for (const f of go) f();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
