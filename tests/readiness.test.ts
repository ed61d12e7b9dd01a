import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue } from "../app/services/outbox.server";
import { startApp, type TestApp } from "./helpers/app";
import { crmApi, CRM_BASE_URL, CRM_TOKEN } from "./mocks/crm";

/**
 * GET /readyz over HTTP (docs/operations.md, "Monitoring"): the report a
 * load balancer and an operator's monitoring read, beside the liveness
 * check /healthz.
 */
const HEALTH_TOKEN = "health-token-for-the-readiness-tests-0123456789";

/** This machine's address on its network, to call the app as another machine would (not loopback). */
function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  return undefined;
}

const readyz = async (base: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}/readyz`, { headers });
  return { status: res.status, cache: res.headers.get("cache-control"), body: (await res.json()) as Record<string, unknown> & { jobs?: Record<string, number | null> } };
};

describe("readiness report", () => {
  let app: TestApp;
  beforeAll(async () => {
    // Every interface, so that the tests can also come from this machine's network address.
    app = await startApp({ host: "0.0.0.0", env: { HEALTH_TOKEN, READY_EMAIL_BACKLOG_SECONDS: "900" } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("on an empty install: ok, the database answers, no connector, nothing waiting; /healthz still answers ok", async () => {
    const r = await readyz(app.base);
    expect(r.status).toBe(200);
    expect(r.cache).toBe("no-store");
    expect(r.body).toMatchObject({ status: "ok", database: { ok: true }, connectors: [], reasons: [] });
    expect(r.body.jobs).toEqual({
      gatherPending: 0,
      gatherRunning: 0,
      gatherStalled: 0,
      erasuresPending: 0,
      erasuresRunning: 0,
      pendingEmails: 0,
      pendingSms: 0,
      oldestPendingEmailAgeSeconds: null,
    });
    const health = await fetch(`${app.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
  });

  it("shows a pending email in the backlog with its age, and an old one makes it degraded (still 200), with no address in sight", async () => {
    const now = Date.now();
    await enqueue(app.db(), { channel: "email", to: "ready.person@example.fr", template: "test", subject: "s", text: "t", html: "<p>t</p>" }, new Date(now - 5 * 60_000));
    let r = await readyz(app.base);
    expect(r.body.status).toBe("ok");
    expect(r.body.jobs!.pendingEmails).toBe(1);
    expect(r.body.jobs!.oldestPendingEmailAgeSeconds).toBeGreaterThanOrEqual(300);
    expect(r.body.jobs!.oldestPendingEmailAgeSeconds).toBeLessThan(400);

    // Older than READY_EMAIL_BACKLOG_SECONDS (900): mail is not going out.
    await enqueue(app.db(), { channel: "email", to: "ready.person@example.fr", template: "test", subject: "s", text: "t", html: "<p>t</p>" }, new Date(now - 20 * 60_000));
    r = await readyz(app.base);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "degraded", reasons: ["email_backlog"] });
    expect(r.body.jobs!.pendingEmails).toBe(2);
    expect(r.body.jobs!.oldestPendingEmailAgeSeconds).toBeGreaterThanOrEqual(1200);
    expect(JSON.stringify(r.body)).not.toContain("ready.person");

    // Once sent, the backlog is gone.
    await app.deliver();
    r = await readyz(app.base);
    expect(r.body).toMatchObject({ status: "ok", jobs: { pendingEmails: 0, oldestPendingEmailAgeSeconds: null } });
  });

  it("gives only the status to another machine without the token, or through a proxy; the details with the token", async (ctx) => {
    const lan = lanAddress();
    if (!lan) {
      if (process.env.REQUIRE_SERVICES === "1") throw new Error("this machine has no network address other than loopback");
      ctx.skip(); // nothing but loopback on this machine: no other address to come from
      return;
    }
    const base = `http://${lan}:${app.port}`;
    const anonymous = await readyz(base);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ status: "ok" });
    expect((await readyz(base, { Authorization: "Bearer not-the-token-but-long-enough-0123456789" })).body).toEqual({ status: "ok" });
    const withToken = await readyz(base, { Authorization: `Bearer ${HEALTH_TOKEN}` });
    expect(withToken.body).toMatchObject({ status: "ok", database: { ok: true }, connectors: [] });
    expect(withToken.body.jobs).toBeDefined();
    // On this machine, but forwarded by a proxy for someone else: the status alone too.
    expect((await readyz(app.base, { "X-Forwarded-For": "203.0.113.7" })).body).toEqual({ status: "ok" });
  });
});

describe("readiness with a connector down", () => {
  let app: TestApp;
  let dir: string;
  const crm = crmApi();
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-readyz-"));
    const config = path.join(dir, "connectors.config.json");
    writeFileSync(
      config,
      JSON.stringify({
        connectors: [{ id: "crm", kind: "crm-http", label: "CRM client", tokenEnv: "CRM_TEST_TOKEN", baseUrl: CRM_BASE_URL, timeoutMs: 500, retries: 0, breaker: { failureThreshold: 1, cooldownMs: 60_000 } }],
      }),
    );
    app = await startApp({ env: { CONNECTORS_CONFIG: config, CRM_TEST_TOKEN: CRM_TOKEN } });
    app.msw.use(...crm.handlers);
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("says degraded, still 200, with the connector down since its first failure and its circuit open; /healthz stays ok", async () => {
    crm.fail("500");
    const before = Date.now();
    const r = await readyz(app.base);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "degraded", database: { ok: true }, reasons: ["connector_down:crm"] });
    expect(r.body.connectors).toEqual([{ id: "crm", state: "down", breaker: "open", since: expect.any(String) }]);
    const since = Date.parse((r.body.connectors as { since: string }[])[0]!.since);
    expect(since).toBeGreaterThanOrEqual(before - 1000);
    expect(since).toBeLessThanOrEqual(Date.now());

    // Asked again within the probe's lifetime: the CRM is not called again (the circuit is open, and the result is reused).
    const calls = crm.state.requests;
    const again = await readyz(app.base);
    expect(again.body.connectors).toEqual(r.body.connectors);
    expect(crm.state.requests).toBe(calls);

    expect((await fetch(`${app.base}/healthz`)).status).toBe(200);
  });
});

describe("readiness with the database down", () => {
  let app: TestApp;
  beforeAll(async () => {
    // A database that cannot be opened: its folder would be inside a file.
    app = await startApp({ env: { DATABASE_URL: "file:/dev/null/rightsdesk.sqlite" } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("answers 503 down, with the database not ok and no job counts", async () => {
    const r = await readyz(app.base);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ status: "down", database: { ok: false }, jobs: null, reasons: ["database_down"] });
  });
});
