import { and, eq } from "drizzle-orm";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archives } from "../db/schema/archives";
import { auditLog } from "../db/schema/audit";
import { gatherJobs } from "../db/schema/gather";
import { outbox } from "../db/schema/outbox";
import { requests } from "../db/schema/requests";
import { erasurePlans, erasureSteps } from "../db/schema/rights";
import { closeConnectors } from "../app/utils/connectors.server";
import { closeDb, db, first } from "../app/utils/db.server";
import { resetEnvForTests } from "../app/utils/env.server";
import { seedRegister } from "../scripts/seed-register";
import { startDemoCrm, type DemoCrm } from "../scripts/demo-crm";
import { Browser, textOf } from "./helpers/app";
import { controllersInstruct, corinneInPerson, demoSystems, foundOffers } from "./helpers/connectors";
import { dropPostgresDatabase, freshPostgresDatabase, postgresUnavailable } from "./helpers/postgres";
import { cli, cliEnv, pidOfConnection, startServer, startWorker, until, type ServerProcess, type WorkerProcess } from "./helpers/processes";
import { downloadArchive, fileOne } from "./helpers/requester";
import { startSmtpSink } from "./helpers/smtp-sink";
import { signedIn } from "./helpers/staff";
import { startStallingProxy } from "./helpers/stalling-proxy";
import { ticketRow } from "./helpers/tickets";

/**
 * Issue 18: RightsDesk on several machines. Two web processes (`npm start`,
 * WORKERS=0) and two `npm run worker` processes, each with its own data
 * directory, on one PostgreSQL database, mail to one SMTP sink. The CRM is a
 * real HTTP server behind a proxy that can make its answers hang, so that a
 * worker can be killed (SIGKILL) while it waits on it. Always on PostgreSQL,
 * whatever TEST_STORE says; skipped with the reason when the server does not
 * answer, a failure under REQUIRE_SERVICES=1.
 */
// Null when PostgreSQL answers; else it says why, and under REQUIRE_SERVICES=1 this file fails instead.
const unavailable = await postgresUnavailable();

const CRM_TOKEN = "multi-process-crm-token-0123456789";
const APP_SECRET = "multi-process-secret-long-enough-for-hkdf-0123456789";
const LEASE_SECONDS = 3;

describe.skipIf(unavailable)("two web processes and two workers on PostgreSQL", () => {
  let url: string;
  let dir: string;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let crm: DemoCrm;
  let proxy: Awaited<ReturnType<typeof startStallingProxy>>;
  let webs: ServerProcess[] = [];
  let workers: WorkerProcess[] = [];
  const workerDirs: string[] = [];
  let shared: Record<string, string>;
  /** the access request the gather test leaves gathered */
  let gathered: string | undefined;

  /** A web process as the helpers use it: the shared database (read here) and a browser on that process. */
  const web = (i: number) => ({ db, browser: () => new Browser(webs[i]!.base) });

  async function startOneWorker() {
    const own = mkdtempSync(path.join(tmpdir(), "rightsdesk-worker-"));
    workerDirs.push(own);
    const w = await startWorker(cliEnv(own, { NODE_ENV: "production", LOG_LEVEL: "warn", SMS_GATEWAY_URL: "http://127.0.0.1:9/unused", ...shared }));
    workers.push(w);
    return w;
  }
  const killed = new Set<number>();
  const alive = () => workers.filter((w) => !killed.has(w.pid));

  /** Until the workers have sent every email queued (none pending, none held by a sender). */
  const outboxSent = () =>
    until(async () => !(await first(db().select({ id: outbox.id }).from(outbox).where(and(eq(outbox.channel, "email"), eq(outbox.status, "pending"))))), "the outbox to be sent");

  /**
   * Kills (SIGKILL) the worker that made the held call, and waits until the
   * call's connection is gone. Not while a worker is sending an email: a
   * message whose sender dies is held for OUTBOX_LEASE_SECONDS, then sent
   * again (once, unless the mail server had already taken it, which SMTP
   * cannot tell); that is the outbox's own test, not this one.
   */
  async function killTheWorkerHolding(call: { clientPort: number; gone: () => boolean }) {
    await outboxSent();
    const pid = pidOfConnection(call.clientPort, alive().map((w) => w.pid));
    expect(pid, "one of the workers made the call").toBeDefined();
    process.kill(pid!, "SIGKILL");
    killed.add(pid!);
    await until(() => call.gone(), "the killed worker's connection to close");
    return pid!;
  }

  beforeAll(async () => {
    url = await freshPostgresDatabase("rd_multiproc");
    dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-multiproc-"));
    sink = await startSmtpSink();
    crm = await startDemoCrm({ port: 0, token: CRM_TOKEN, contacts: 20 });
    proxy = await startStallingProxy(crm.url);
    // The demo's three systems (the survey database and the recordings by absolute path, the CRM behind the proxy).
    const { configFile } = await demoSystems({ dir }, { baseUrl: proxy.url, token: CRM_TOKEN, timeoutMs: 30_000, retries: 0 }, { respondents: 20, recordings: 20, realAudio: 4, seed: 21, recordedUpTo: new Date() });
    shared = {
      DATABASE_URL: url,
      APP_SECRET,
      SMTP_URL: sink.url,
      CONNECTORS_CONFIG: configFile,
      CRM_TEST_TOKEN: CRM_TOKEN,
      SURVEY_HASH_KEY: process.env.SURVEY_HASH_KEY!,
      JOB_LEASE_SECONDS: String(LEASE_SECONDS),
      RATE_LIMIT_FILING_PER_HOUR: "1000",
      RATE_LIMIT_VERIFY_PER_HOUR: "1000",
      // Four processes and this one on a server other test files use at the same time (max_connections 100).
      DATABASE_POOL_SIZE: "4",
    };
    // This process reads the same database (for its checks) and records agent intake through the services, as a third web process would.
    Object.assign(process.env, { ...shared, APP_ENV: "test", DATA_DIR: dir, BASE_URL: "http://127.0.0.1:9", SMS_GATEWAY_URL: "http://127.0.0.1:9/unused", LOG_LEVEL: "silent", WORKERS: "0" });
    resetEnvForTests();
    closeDb();
    await seedRegister(db(), new Date());
    webs = await Promise.all([startServer({ ...shared, WORKERS: "0" }), startServer({ ...shared, WORKERS: "0" })]);
    await Promise.all([startOneWorker(), startOneWorker()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(alive().map((w) => w.stop()));
    for (const w of webs) w.stop();
    await closeConnectors();
    closeDb();
    await proxy?.close();
    await crm?.close();
    await sink?.close();
    if (url) await dropPostgresDatabase(url);
    for (const d of [dir, ...workerDirs]) if (d) rmSync(d, { recursive: true, force: true });
  });

  /**
   * Once the workers have sent everything queued: each email in the outbox
   * arrived once, and nothing arrived that the outbox does not hold.
   */
  async function expectEveryEmailOnce() {
    await outboxSent();
    // Time for a second copy to arrive, if one were on its way.
    await new Promise((r) => setTimeout(r, 1_500));
    const owed = (await db().select().from(outbox).where(eq(outbox.channel, "email"))).map((m) => `${m.recipient} | ${m.subject}`);
    const got = sink.received.map((m) => `${(Array.isArray(m.to) ? m.to : [m.to]).flatMap((t) => t!.value.map((a) => a.address)).join(",")} | ${m.subject}`);
    expect(got.sort()).toEqual(owed.sort());
  }

  /** Until every gather job of the request has ended (done, or not searched for want of an identifier). */
  const searched = (id: number) =>
    until(async () => {
      const jobs = await db().select().from(gatherJobs).where(eq(gatherJobs.requestId, id));
      return jobs.length > 0 && jobs.every((j) => j.status === "done" || j.status === "skipped");
    }, "the workers to run the searches");

  /** Support confirms every identifier found in the records (her landline, for the recordings), and the workers search again. */
  async function searchWithFound(browser: Browser, reference: string, id: number) {
    for (const offer of await foundOffers(browser, reference)) {
      expect((await browser.post(`/admin/demandes/${reference}`, { intent: "identifier-confirm", token: offer.token })).status).toBe(302);
    }
    await searched(id);
  }

  it("gives concurrent filings through both web processes distinct references, numbered 1..N without a gap", async () => {
    const filed = await Promise.all(Array.from({ length: 80 }, (_, i) => fileOne(web(i % 2), { email: `filer${i}@example.fr` })));
    const shown = filed.map((f) => f.reference);
    expect(new Set(shown).size).toBe(80);
    const year = shown[0]!.slice(4, 8);
    const stored = (await db().select({ reference: requests.reference }).from(requests)).map((r) => r.reference).filter((r) => r.startsWith(`DSR-${year}-`));
    expect(stored.sort()).toEqual([...shown].sort());
    expect(stored.map((r) => Number(r.slice(-6))).sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    // The workers send each filer's confirmation, once.
    await expectEveryEmailOnce();
    for (let i = 0; i < 80; i++) expect(sink.received.filter((m) => JSON.stringify(m.to).includes(`filer${i}@example.fr`)), `filer${i}`).toHaveLength(1);
  }, 40_000);

  it("finishes a gather once when the worker running it is killed mid-way, and the other web process shows what was gathered", async () => {
    const { reference, browser: support } = await corinneInPerson(web(0), ["access"]);
    gathered = reference;
    const id = (await ticketRow(reference)).id;
    proxy.stall((method, p) => method === "GET" && p.startsWith("/contacts"));
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "gather" })).status).toBe(302);
    await until(() => proxy.held.length > 0, "a worker to call the CRM");
    const job = (await first(db().select().from(gatherJobs).where(and(eq(gatherJobs.requestId, id), eq(gatherJobs.connectorId, "crm")))))!;
    expect(job).toMatchObject({ status: "running", attempts: 1 });

    await killTheWorkerHolding(proxy.held[0]!);
    proxy.release();
    // The other worker takes the job over once the dead one's lease has run out.
    await until(async () => (await first(db().select().from(gatherJobs).where(eq(gatherJobs.id, job.id))))!.status === "done", "the other worker to finish the job", (LEASE_SECONDS + 15) * 1000);
    expect(await first(db().select().from(gatherJobs).where(eq(gatherJobs.id, job.id)))).toMatchObject({ status: "done", attempts: 2, error: null });
    const completions = (await db().select().from(auditLog).where(and(eq(auditLog.reference, reference), eq(auditLog.action, "gather.completed"))))
      .map((e) => e.details as { jobId?: number; attempt?: number })
      .filter((d) => d.jobId === job.id);
    expect(completions.map((d) => d.attempt)).toEqual([2]);
    // Its supervisor starts the killed worker again.
    await startOneWorker();
    await searched(id);

    // Through the other web process: the landline found in her survey record confirmed (the workers gather her calls,
    // audio files), Neva (the CRM's controller) instructs, and the preview shows her CRM record.
    const elsewhere = await signedIn(web(1), "support", "tours");
    await searchWithFound(elsewhere.browser, reference, id);
    await controllersInstruct(web(1), elsewhere.browser, reference);
    const preview = await elsewhere.browser.get(`/admin/demandes/${reference}/apercu`);
    expect(preview.status).toBe(200);
    const shown = textOf(await preview.text());
    expect(shown).toContain("CRM client");
    expect(shown).toContain("Questionnaire Osiris");
    await expectEveryEmailOnce();
  }, 60_000);

  // Files go through the blob store (PostgreSQL, the default on a PostgreSQL database), not the data directory of the process that wrote them.
  it("serves an archive built by one web process through the other, once the first one's data directory is gone", async () => {
    // Corinne's access request from the test above: gathered, the CRM's controller has instructed.
    const reference = gathered!;
    const support = await signedIn(web(0), "support", "tours");
    expect((await support.browser.post(`/admin/demandes/${reference}`, { intent: "start" })).status).toBe(302);
    const dpo = await signedIn(web(0), "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(302);
    const archive = (await first(db().select().from(archives).where(eq(archives.requestId, (await ticketRow(reference)).id))))!;
    // The machine that built it loses its disk; the requester downloads through the other web process.
    rmSync(webs[0]!.dir, { recursive: true, force: true });
    const entries = await downloadArchive({ browser: web(1).browser, deliver: outboxSent, sink }, "desmarc.corinne@orange.fr", archive.id);
    expect([...entries.keys()].some((name) => name.startsWith("data/crm/"))).toBe(true);
    // Her calls' audio, gathered by a worker into the blob store, read by the first web process to build the archive.
    const calls = [...entries].filter(([name]) => name.startsWith("recordings/"));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every(([, bytes]) => bytes.length > 0)).toBe(true);
    expect(entries.get("manifest.json")).toBeDefined();
    await expectEveryEmailOnce();
  }, 40_000);

  it("certifies an erasure once when the worker executing it is killed mid-way", async () => {
    const { reference, browser: support } = await corinneInPerson(web(1), ["erasure"]);
    const id = (await ticketRow(reference)).id;
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "gather" })).status).toBe(302);
    await searched(id);
    await searchWithFound(support, reference, id);
    await controllersInstruct(web(1), support, reference);
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" })).status).toBe(302);
    const dpo = await signedIn(web(0), "dpo");
    const held = proxy.held.length;
    proxy.stall((method) => method === "DELETE");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" })).status).toBe(302);
    await until(() => proxy.held.length > held, "a worker to ask the CRM to delete");

    await killTheWorkerHolding(proxy.held[held]!);
    proxy.release();
    const planOf = async () => (await db().select().from(erasurePlans).where(eq(erasurePlans.requestId, id))).at(-1)!;
    await until(async () => (await planOf()).status === "verified", "the other worker to finish the erasure", (LEASE_SECONDS + 20) * 1000);

    // Taken over: a second attempt, and the CRM no longer holds her (the dead worker's DELETE reached it, the new owner's found nothing left).
    expect(await planOf()).toMatchObject({ status: "verified", attempts: 2 });
    const left = await fetch(`${crm.url}/contacts?email=desmarc.corinne%40orange.fr`, { headers: { authorization: `Bearer ${CRM_TOKEN}` } });
    expect(((await left.json()) as { contacts: unknown[] }).contacts).toEqual([]);
    expect(crm.calls.filter((c) => c.method === "DELETE").length).toBeGreaterThanOrEqual(1);
    const actions = (await db().select().from(auditLog).where(eq(auditLog.reference, reference))).map((e) => e.action);
    expect(actions.filter((a) => a === "erasure.executed")).toHaveLength(1);
    expect(actions.filter((a) => a === "erasure.certified")).toHaveLength(1);
    const steps = await db().select().from(erasureSteps).where(eq(erasureSteps.planId, (await planOf()).id));
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((s) => s.status === "done")).toBe(true);
    expect(actions.filter((a) => a === "erasure.step.executed")).toHaveLength(steps.length);
    expect(await db().select().from(outbox).where(and(eq(outbox.requestId, id), eq(outbox.template, "erasure_certificate")))).toHaveLength(1);
    await expectEveryEmailOnce();
    expect(sink.received.filter((m) => JSON.stringify(m.to).includes("desmarc.corinne@orange.fr") && m.subject === `Votre demande d'effacement ${reference} : ce qui a été effacé et ce qui reste`)).toHaveLength(1);
  }, 60_000);

  it("leaves an audit chain that `cli audit verify` finds valid", async () => {
    const verified = await cli(["audit", "verify"], cliEnv(dir, { DATABASE_URL: url, APP_SECRET }));
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^ok \d+ entries/);
  });
});
