import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp } from "../app/web/http.server";
import { listenHost } from "../scripts/serve";
import { startApp, textOf, validRequest, type TestApp } from "./helpers/app";
import { freePort } from "./helpers/smtp-sink";

/**
 * Issue 14, item 14: the development outbox (every email and SMS "sent",
 * links and codes included) needed no login outside production, and the
 * demo listened on every interface. The outbox is now served only to a
 * client on this machine, judged by the socket's peer address (never
 * X-Forwarded-For), and the demo listens on 127.0.0.1 unless HOST says
 * otherwise.
 *
 * The non-loopback side needs a second address on this machine: the test
 * listens on 0.0.0.0 and connects through the first non-internal IPv4
 * address of os.networkInterfaces().
 */
const ROOT = path.resolve(import.meta.dirname, "..");
const outsideIp = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
if (!outsideIp) console.warn("dev-outbox-loopback: this machine has no non-loopback IPv4 address; the tests that connect from one are skipped.");
const withOutsideIp = outsideIp ? it : it.skip;

const EMAIL = "outbox.loopback@example.fr";

describe("the development outbox", () => {
  let app: TestApp;
  let proxied: import("node:http").Server;
  let proxiedPort: number;
  beforeAll(async () => {
    app = await startApp({ host: "0.0.0.0" });
    expect((await app.browser().post("/demande", validRequest({ email: EMAIL }))).status).toBe(302);
    // The same site behind a reverse proxy (TRUST_PROXY=1): X-Forwarded-For is believed for rate limits, never for this.
    const build = await import(pathToFileURL(path.join(ROOT, "build/server/index.js")).href);
    proxied = createHttpApp({ build, clientDir: path.join(ROOT, "build/client"), trustProxy: true }).listen(0, "0.0.0.0");
    await new Promise<void>((resolve) => proxied.once("listening", () => resolve()));
    proxiedPort = (proxied.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => proxied?.close(() => resolve()));
    await app?.stop();
  });

  it("is served to a browser on this machine", async () => {
    const res = await fetch(`http://127.0.0.1:${app.port}/dev/outbox`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(EMAIL);
  });

  withOutsideIp("is a 404 in the visitor's language for a client at another address, whatever X-Forwarded-For says", async () => {
    const id = (await app.db().query.outbox.findFirst())!.id;
    for (const port of [app.port, proxiedPort]) {
      for (const forwarded of [undefined, "127.0.0.1", "::1", "127.0.0.1, 127.0.0.1"]) {
        for (const p of ["/dev/outbox", `/dev/outbox/${id}`, "/DEV/Outbox", "/dev/outbox.data"]) {
          const what = `${p} via ${outsideIp}:${port === app.port ? "direct" : "trusted proxy"} X-Forwarded-For=${forwarded}`;
          const res = await fetch(`http://${outsideIp}:${port}${p}`, { headers: forwarded ? { "x-forwarded-for": forwarded } : {} });
          const body = await res.text();
          expect(res.status, what).toBe(404);
          expect(body, what).not.toContain(EMAIL);
          expect(body, what).not.toMatch(/verification\//);
          if (!p.endsWith(".data")) expect(textOf(body), what).toContain("Page introuvable.");
        }
      }
    }
    const en = await fetch(`http://${outsideIp}:${app.port}/dev/outbox`, { headers: { cookie: "lang=en" } });
    expect(en.status).toBe(404);
    expect(textOf(await en.text())).toContain("Page not found.");
    // The rest of the site answers that client as usual.
    expect((await fetch(`http://${outsideIp}:${app.port}/demande`)).status).toBe(200);
  });
});

describe("where the demo listens", () => {
  it("defaults to this machine outside production, every interface in production, and HOST wins", () => {
    expect(listenHost({ APP_ENV: "demo", HOST: undefined })).toBe("127.0.0.1");
    expect(listenHost({ APP_ENV: "development", HOST: undefined })).toBe("127.0.0.1");
    expect(listenHost({ APP_ENV: "production", HOST: undefined })).toBeUndefined();
    expect(listenHost({ APP_ENV: "demo", HOST: "0.0.0.0" })).toBe("0.0.0.0");
  });

  /** Starts a script as `npm run demo` / `npm start` do, and stops it once `ready` is printed and `check` has run. */
  async function running(script: string, env: Record<string, string>, ready: string, check: (port: number) => Promise<void>) {
    const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-bind-"));
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", PORT: String(port), DEMO_CRM_PORT: String(await freePort()), DATA_DIR: dir, BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    try {
      const started = Date.now();
      while (!out.includes(ready)) {
        if (child.exitCode !== null || Date.now() - started > 90_000) throw new Error(`${script} did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await check(port);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const refused = (url: string) => fetch(url).then(
    (res) => `answered ${res.status}`,
    (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
  );

  withOutsideIp("`npm run demo` listens on 127.0.0.1 only, unless HOST says otherwise", { timeout: 180_000 }, async () => {
    await running("scripts/demo.ts", { APP_ENV: "demo" }, "RightsDesk is running", async (port) => {
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
      expect(await refused(`http://${outsideIp}:${port}/`)).toBe("ECONNREFUSED");
    });
    await running("scripts/serve.ts", { APP_ENV: "demo", HOST: "0.0.0.0" }, "listening on port", async (port) => {
      expect((await fetch(`http://${outsideIp}:${port}/`)).status).toBe(200);
      // Reachable from the network because HOST asked for it; the outbox still is not.
      expect((await fetch(`http://${outsideIp}:${port}/dev/outbox`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/dev/outbox`)).status).toBe(200);
    });
  });
});
