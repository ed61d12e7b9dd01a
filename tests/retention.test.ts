import Database from "better-sqlite3";
import { and, eq } from "drizzle-orm";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoRecordings } from "../app/connectors/recordings/demo";
import { closeConnectors } from "../app/utils/connectors.server";
import { resetEnvForTests } from "../app/utils/env.server";
import { auditLog } from "../db/schema/audit";
import { outbox } from "../db/schema/outbox";
import { requests } from "../db/schema/requests";
import { verificationTokens } from "../db/schema/verification";
import { seedRegister } from "../scripts/seed-register";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { cli, type Finished } from "./helpers/processes";
import { fileOne, verifiedByEmail } from "./helpers/requester";
import { signedIn } from "./helpers/staff";
import { first } from "../app/utils/db.server";

/**
 * Issue 15, item 4: retention enforced. Real CLI processes on the test app's
 * SQLite file and real recordings on disk; the back office over HTTP on the
 * production build. Time passing is simulated by moving a request's closing
 * date back, as if it had closed that long ago.
 */
const DAY = 86_400_000;
const PERSONAL = /\+33\d|@|Desmarc|Corinne|Blanc/;

type Rec = { id: string; path: string; started_at: string };

function recordingsIndex(app: TestApp) {
  return path.join(app.dir, "recordings", "index.sqlite");
}
function rows(app: TestApp): Rec[] {
  const d = new Database(recordingsIndex(app), { readonly: true });
  try {
    return d.prepare<[], Rec>("SELECT id, path, started_at FROM recordings ORDER BY id").all();
  } finally {
    d.close();
  }
}

/** The numbers a `retention run` printed for a category, e.g. counts(out, "recordings").purge. */
function counts(out: string, category: string): Record<string, number> {
  const line = out.split("\n").find((l) => l.startsWith(`${category} `));
  if (!line) throw new Error(`no ${category} line in:\n${out}`);
  return Object.fromEntries([...line.matchAll(/([a-z-]+)=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
}

function noPersonalData(r: Finished) {
  expect(r.stdout + r.stderr).not.toMatch(PERSONAL);
}

describe("retention", () => {
  let app: TestApp;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    app = await startApp();
    const root = path.join(app.dir, "recordings");
    // Calls spread over the 180 days before now: most are past OP-01's 25 days.
    createDemoRecordings({ root, index: recordingsIndex(app), count: 40, realAudio: 40, seed: 3, now: new Date() });
    const config = path.join(app.dir, "retention.connectors.json");
    writeFileSync(config, JSON.stringify({ connectors: [{ id: "recordings", kind: "recordings", label: "Enregistrements d'appels", root: "{dataDir}/recordings", index: "{dataDir}/recordings/index.sqlite" }] }));
    process.env.CONNECTORS_CONFIG = config;
    resetEnvForTests();
    await seedRegister(app.db(), new Date());
    env = { ...process.env, LOG_LEVEL: "info" };
  });
  afterAll(async () => {
    await closeConnectors();
    await app?.stop();
  });

  it("deletes recordings past the register's duration, file and index row, keeps one under a litigation hold until the DPO lifts it; a dry run deletes nothing and says the same", async () => {
    const cutoff = Date.now() - 25 * DAY;
    const before = rows(app);
    const expired = before.filter((r) => Date.parse(r.started_at) < cutoff);
    const recent = before.filter((r) => Date.parse(r.started_at) >= cutoff);
    expect(expired.length).toBeGreaterThan(5);
    expect(recent.length).toBeGreaterThan(0);
    const held = expired[0]!;

    // Support cannot see or set holds; the DPO can, with a reason, and it is journalled.
    const support = await signedIn(app, "support");
    expect((await support.browser.get("/admin/conservation")).status).toBe(403);
    const refused = await support.browser.post("/admin/conservation", { intent: "set", connectorId: "recordings", itemKey: held.id, reason: "Litige Osiris, dossier L-2026-014" });
    expect(refused.status).toBe(403);
    const dpo = await signedIn(app, "dpo");
    const tooShort = await dpo.browser.post("/admin/conservation", { intent: "set", connectorId: "recordings", itemKey: held.id, reason: "court" });
    expect(tooShort.status).toBe(400);
    expect(textOf(await tooShort.text())).toContain("Le motif doit compter de 10 à 1 000 caractères.");
    const set = await dpo.browser.post("/admin/conservation", { intent: "set", connectorId: "recordings", itemKey: held.id, reason: "Litige Osiris, dossier L-2026-014" });
    expect(set.status).toBe(302);
    const page = textOf(await (await dpo.browser.get("/admin/conservation")).text());
    expect(page).toContain(held.id);
    expect(page).toContain("Litige Osiris, dossier L-2026-014");
    const holdEntries = await app.db().select().from(auditLog).where(eq(auditLog.action, "retention.hold_set"));
    expect(holdEntries).toHaveLength(1);
    expect(holdEntries[0]!.actorId).toBe(dpo.id);
    expect(JSON.stringify(holdEntries[0]!.details)).not.toContain("Litige");

    const dry = await cli(["retention", "run", "--dry-run"], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("dry run");
    expect(counts(dry.stdout, "recordings")).toMatchObject({ purge: expired.length - 1, held: 1, "retention-days": 25 });
    expect(rows(app)).toHaveLength(before.length);
    expect(before.every((r) => existsSync(path.join(app.dir, "recordings", r.path)))).toBe(true);
    noPersonalData(dry);

    const real = await cli(["retention", "run"], env);
    expect(real.code, real.stderr).toBe(0);
    expect(counts(real.stdout, "recordings")).toEqual(counts(dry.stdout, "recordings"));
    const after = rows(app);
    expect(after.map((r) => r.id).sort()).toEqual([held.id, ...recent.map((r) => r.id)].sort());
    for (const r of expired.slice(1)) expect(existsSync(path.join(app.dir, "recordings", r.path)), r.id).toBe(false);
    expect(existsSync(path.join(app.dir, "recordings", held.path))).toBe(true);
    noPersonalData(real);

    // Lifted by the DPO with a reason: the next run deletes it.
    const holdId = String((await first(app.db().select().from(auditLog).where(eq(auditLog.action, "retention.hold_set"))))!.details.hold);
    expect((await support.browser.post("/admin/conservation", { intent: "lift", holdId, liftReason: "Litige clos par transaction" })).status).toBe(403);
    expect((await dpo.browser.post("/admin/conservation", { intent: "lift", holdId, liftReason: "Litige clos par transaction" })).status).toBe(302);
    expect(await app.db().select().from(auditLog).where(eq(auditLog.action, "retention.hold_lifted"))).toHaveLength(1);
    const again = await cli(["retention", "run"], env);
    expect(again.code, again.stderr).toBe(0);
    expect(counts(again.stdout, "recordings")).toMatchObject({ purge: 1, held: 0 });
    expect(rows(app).map((r) => r.id)).not.toContain(held.id);
    expect(existsSync(path.join(app.dir, "recordings", held.path))).toBe(false);

    // Each purge journalled with counts only.
    const purged = await app.db().select().from(auditLog).where(eq(auditLog.action, "retention.recordings_purged"));
    expect(purged.map((e) => e.details.purge)).toEqual([expired.length - 1, 1]);
    expect(JSON.stringify(purged)).not.toMatch(/rec-\d|\+33/);
  });

  it("deletes a never-verified request's identity once expired plus the grace period, and not before", async () => {
    const { reference } = await fileOne(app, { email: "blanc.expire@example.fr", lastName: "Blanc", firstName: "Expiré" });
    await app.deliver();
    const r = (await first(app.db().select().from(requests).where(eq(requests.reference, reference))))!;
    // Expired 29 days ago: inside the 30-day grace.
    await app.db().update(requests).set({ status: "expired_unverified", closedAt: new Date(Date.now() - 29 * DAY) }).where(eq(requests.id, r.id));
    const early = await cli(["retention", "run"], env);
    expect(early.code, early.stderr).toBe(0);
    expect(counts(early.stdout, "unverified-requests").purge).toBe(0);
    expect((await first(app.db().select().from(requests).where(eq(requests.id, r.id))))!.lastName).toBe("Blanc");

    await app.db().update(requests).set({ closedAt: new Date(Date.now() - 31 * DAY) }).where(eq(requests.id, r.id));
    const late = await cli(["retention", "run"], env);
    expect(late.code, late.stderr).toBe(0);
    expect(counts(late.stdout, "unverified-requests")).toMatchObject({ purge: 1, "grace-days": 30 });
    noPersonalData(late);
    const row = (await first(app.db().select().from(requests).where(eq(requests.id, r.id))))!;
    expect([row.lastName, row.firstName, row.email, row.phone, row.details]).toEqual(["", "", null, null, null]);
    expect(row.emailKey).toBe(r.emailKey);
    expect(row.identityPurgedAt).not.toBeNull();
    expect(await app.db().select().from(verificationTokens).where(eq(verificationTokens.requestId, r.id))).toHaveLength(0);
    const messages = await app.db().select().from(outbox).where(eq(outbox.requestId, r.id));
    expect(messages.length).toBeGreaterThan(0);
    expect(JSON.stringify(messages)).not.toMatch(/blanc\.expire|Expiré|\/verification\//);
  });

  it("purges a closed request after OP-07's duration, keeps its reference, dates and outcome, and the audit chain still verifies", async () => {
    const { reference } = await verifiedByEmail(app, { email: "corinne.closed@example.fr" });
    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "cancel", confirmed: "1" })).status).toBe(302);
    await app.deliver();
    const r = (await first(app.db().select().from(requests).where(eq(requests.reference, reference))))!;
    expect(r.status).toBe("cancelled");

    await app.db().update(requests).set({ closedAt: new Date(Date.now() - 1825 * DAY) }).where(eq(requests.id, r.id));
    const early = await cli(["retention", "run"], env);
    expect(counts(early.stdout, "closed-requests")).toMatchObject({ purge: 0, "retention-days": 1826 });

    await app.db().update(requests).set({ closedAt: new Date(Date.now() - 1827 * DAY) }).where(eq(requests.id, r.id));
    const dry = await cli(["retention", "run", "--dry-run"], env);
    const real = await cli(["retention", "run"], env);
    expect(real.code, real.stderr).toBe(0);
    expect(counts(real.stdout, "closed-requests")).toEqual(counts(dry.stdout, "closed-requests"));
    expect(counts(real.stdout, "closed-requests")).toMatchObject({ purge: 1 });
    expect(counts(real.stdout, "closed-requests").outbox).toBeGreaterThan(0);
    noPersonalData(real);

    const verify = await cli(["audit", "verify"], env);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/^ok \d+ entries/);

    // The ticket is still there: reference, status, dates; no identity, and it says why.
    const html = await (await dpo.browser.get(`/admin/demandes/${reference}`)).text();
    const text = textOf(html);
    expect(text).toContain(reference);
    expect(html).toContain("data-identity-purged");
    expect(text).not.toMatch(/Desmarc|corinne\.closed/);
    const entry = await app.db().select().from(auditLog).where(and(eq(auditLog.action, "retention.request_purged"), eq(auditLog.reference, reference)));
    expect(entry).toHaveLength(1);
    expect(entry[0]!.details).toMatchObject({ reason: "closed", retentionDays: 1826 });
    expect(JSON.stringify(entry[0]!.details)).not.toMatch(PERSONAL);
  });

  it("purges once when two processes run the job at the same time", async () => {
    const refs: string[] = [];
    for (const email of ["twice.one@example.fr", "twice.two@example.fr"]) {
      const { reference } = await verifiedByEmail(app, { email });
      const dpo = await signedIn(app, "dpo");
      expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "cancel", confirmed: "1" })).status).toBe(302);
      await app.db().update(requests).set({ closedAt: new Date(Date.now() - 2000 * DAY) }).where(eq(requests.reference, reference));
      refs.push(reference);
    }
    const both = await Promise.all([cli(["retention", "run"], env), cli(["retention", "run"], env)]);
    for (const r of both) {
      // Either it ran (purging what the other had not), or it found the other running.
      if (r.code === 0) expect(r.stdout).toContain("closed-requests");
      else expect(r.stderr).toContain("already running");
      noPersonalData(r);
    }
    const total = both.filter((r) => r.code === 0).reduce((s, r) => s + (counts(r.stdout, "closed-requests").purge ?? 0), 0);
    expect(total).toBe(2);
    for (const reference of refs) {
      expect(await app.db().select().from(auditLog).where(and(eq(auditLog.action, "retention.request_purged"), eq(auditLog.reference, reference)))).toHaveLength(1);
    }
    const verify = await cli(["audit", "verify"], env);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it("a run whose process died holds the lock until its lease passes: another process says \"already running\", then takes over and purges once", async () => {
    const { reference } = await verifiedByEmail(app, { email: "crash.run@example.fr" });
    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "cancel", confirmed: "1" })).status).toBe(302);
    await app.db().update(requests).set({ closedAt: new Date(Date.now() - 2000 * DAY) }).where(eq(requests.reference, reference));
    const lease = { JOB_LEASE_SECONDS: "6" };
    const killed = await cli(["retention", "run"], { ...env, ...lease, FAULT_INJECT: "retention-run-claimed" });
    const killedAt = Date.now();
    expect(killed.signal).toBe("SIGKILL");
    const blocked = await cli(["retention", "run"], { ...env, ...lease });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("already running");
    expect((await first(app.db().select().from(requests).where(eq(requests.reference, reference))))!.identityPurgedAt).toBeNull();
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + 6_500 - Date.now())));
    const taken = await cli(["retention", "run"], { ...env, ...lease });
    expect(taken.code, taken.stderr).toBe(0);
    expect(counts(taken.stdout, "closed-requests").purge).toBe(1);
    expect(await app.db().select().from(auditLog).where(and(eq(auditLog.action, "retention.request_purged"), eq(auditLog.reference, reference)))).toHaveLength(1);
  });
});
