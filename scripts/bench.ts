/**
 * `npm run bench`: timings that matter to users, on a throw-away database.
 *  - the DPO queue at 100,000 tickets (default view, filters, deep pages);
 *  - filing a web request through the service (transaction + outbox);
 *  - the deadline engine;
 *  - the queue page and intake over HTTP against the production server;
 *  - at scale (benchAtScale below): find across the three demo
 *    connectors, archive throughput, peak RSS.
 * Each headline figure comes with a reference measured in the same run and
 * the ratio (scripts/bench-headline.ts): intake and the page against a bare
 * node:http server (scripts/bench-reference.ts), find against raw indexed
 * queries, the archive against `zip -0 | openssl enc` (and `cp -r`, for its
 * target), its peak RSS against the same process at rest.
 * The store-dependent measures (the queue, filing, the page and intake over
 * HTTP, the archive) run on each store of BENCH_STORE=sqlite|postgres|both
 * (scripts/bench-postgres.ts; unset: both when PostgreSQL answers at
 * BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432, else SQLite with
 * a note), each on fresh databases with the same data and each against a
 * reference on the same store; find involves no store and runs once.
 * Prints one line per measure, writes bench/results.json (results.<store>,
 * headline.<store>), and (full runs only) rewrites the generated sections of
 * docs/benchmarks.md (scripts/bench-docs.ts), the stores side by side.
 *
 * Sizes (env): BENCH_TICKETS 100000, BENCH_RESPONDENTS 1000000, BENCH_RECORDINGS
 * 100000, BENCH_REAL_AUDIO 300, BENCH_CONTACTS 200000, BENCH_ARCHIVE_MB 1024,
 * BENCH_FIND_SAMPLES 200; BENCH_QUICK=1 divides the defaults by 20.
 * BENCH_KEEP=1 keeps the temp dir.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import nodeHttp from "node:http";
import os, { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { startProductionServer } from "./production-server";
import { headlineFigures, printHeadline, type HeadlineAtScale, type HeadlineFigure, type HeadlineMeasures } from "./bench-headline";
import { renderBenchDocs, type BenchDoc } from "./bench-docs";
import { startReferenceServer } from "./bench-reference";
import { prng } from "../app/connectors/demo-random";
import { first } from "../app/utils/db.server";
import { benchStores, bulkLoadRequests, dropBenchDatabases, freshBenchDatabase, STORE_LABEL, type BenchStore } from "./bench-postgres";

if (process.env.BENCH_ARCHIVE_CHILD) {
  // Fresh processes: one stores the source as a gather would (untimed), one builds the archive,
  // so that the build's RSS is its own (see archiveChild).
  const arg = JSON.parse(process.env.BENCH_ARCHIVE_CHILD) as ArchiveChildArg;
  await (arg.mode === "prepare" ? archivePrepare(arg) : archiveChild(arg));
  process.exit(0);
}

const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-bench-"));
process.env.APP_ENV = "test";
process.env.APP_SECRET ??= "bench-secret-bench-secret-bench-secret-0123";
process.env.DATA_DIR = dir;
process.env.DATABASE_URL = `file:${path.join(dir, "bench.sqlite")}`;
process.env.LOG_LEVEL = "silent";

const { db, closeDb, bulkConnection } = await import("../app/utils/db.server");
const { resetEnvForTests } = await import("../app/utils/env.server");
const { createStaff, toActor } = await import("../app/services/staff.server");
const { queue, QueueFilters } = await import("../app/services/tickets.server");
const { file } = await import("../app/services/requests.server");
const { IntakeInput } = await import("../app/services/intake-input");
const { dueDate, addDays, parisDate } = await import("../app/services/deadlines");

const QUICK = process.env.BENCH_QUICK === "1";
const size = (name: string, full: number) => Number(process.env[name] ?? (QUICK ? Math.round(full / 20) : full));
const N = size("BENCH_TICKETS", 100_000);
/** The stores measured, side by side (BENCH_STORE; scripts/bench-postgres.ts). */
const stores = await benchStores();
type Results = { measures: Record<string, unknown> };
/** Each store's measures; `results` is the store being measured (time() and the HTTP benches write to it). */
const byStore: Partial<Record<BenchStore, Results>> = {};
let results: Results = { measures: {} };
/** What no store takes part in (the deadline engine). */
const common: Results = { measures: {} };
console.log(`stores: ${stores.map((s) => STORE_LABEL[s]).join(" and ")}`);

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p95: q(0.95), max: s.at(-1)! };
}

async function time(label: string, runs: number, fn: () => unknown) {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  const { p50, p95, max } = stats(samples);
  results.measures[label] = { p50Ms: +p50.toFixed(2), p95Ms: +p95.toFixed(2), maxMs: +max.toFixed(2), runs };
  console.log(`${label.padEnd(48)} p50 ${p50.toFixed(2)} ms   p95 ${p95.toFixed(2)} ms   max ${max.toFixed(2)} ms   (${runs} runs)`);
}

// 1. N tickets spread over five sites and 18 months: the same rows in either store.
const statuses = ["received", "in_progress", "awaiting_requester", "ready", "completed", "completed", "completed", "refused", "cancelled"];
const sites = ["lille", "paris", "tours", "bordeaux", "toulouse", null];
const rights = ['["access"]', '["erasure"]', '["objection"]', '["access","portability"]', '["rectification"]'];
const channels = ["web", "phone", "email", "mail", "in_person"];
const TICKET_COLUMNS = ["reference", "rights", "channel", "site", "status", "locale", "last_name", "first_name", "email", "verification_method", "received_at", "due_on", "effective_due_on", "created_at", "updated_at", "closed_at"];
const now = Date.now();
function ticket(i: number): unknown[] {
  const received = now - ((i * 7919) % (540 * 86_400_000 / 1000)) * 1000;
  const due = addDays(parisDate(new Date(received)), 30 + (i % 3));
  const status = statuses[i % statuses.length]!;
  return [`DSR-B-${String(i).padStart(7, "0")}`, rights[i % rights.length], channels[i % channels.length], sites[i % sites.length], status, "fr", "Bench", "Person", `bench${i}@example.fr`, "email", received, due, due, received, received, status === "completed" ? received + 20 * 86_400_000 : null];
}

/** SQLite: one better-sqlite3 transaction of prepared inserts (the triggers keep request_counts); PostgreSQL: scripts/bench-postgres.ts. */
async function seed(store: BenchStore, url: string) {
  const t0 = performance.now();
  if (store === "postgres") await bulkLoadRequests(url, TICKET_COLUMNS, N, ticket);
  else {
    const sqlite = bulkConnection(db());
    const insert = sqlite.prepare(`INSERT INTO requests (${TICKET_COLUMNS.join(", ")}) VALUES (${TICKET_COLUMNS.map(() => "?").join(", ")})`);
    sqlite.transaction(() => {
      for (let i = 0; i < N; i++) insert.run(...ticket(i));
    })();
    sqlite.exec("ANALYZE");
  }
  console.log(`seeded ${N} tickets in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** 2 and 3: the queue and filing through the services, in this process, on the store db() opens. */
async function benchServices() {
  const { staff: dpoRow } = await createStaff({ ctx: { db: db(), now: new Date(), actor: { kind: "system" } }, input: { email: "bench.dpo@example.fr", displayName: "Bench DPO", role: "dpo", site: "tours" }, password: "bench-password-123" });
  const { staff: agentRow } = await createStaff({ ctx: { db: db(), now: new Date(), actor: { kind: "system" } }, input: { email: "bench.agent@example.fr", displayName: "Bench agent", role: "agent", site: "lille" }, password: "bench-password-123" });
  const dpo = { db: db(), now: new Date(), actor: toActor(dpoRow) };
  const agent = { db: db(), now: new Date(), actor: toActor(agentRow) };

  // 2. The queue.
  await time("queue: default (open, by due date), page 1", 50, async () => await queue({ ctx: dpo, filters: QueueFilters.parse({}) }));
  await time("queue: site=paris, right=erasure", 50, async () => await queue({ ctx: dpo, filters: QueueFilters.parse({ site: "paris", right: "erasure" }) }));
  await time("queue: search by number (\"4200\")", 50, async () => await queue({ ctx: dpo, filters: QueueFilters.parse({ q: "4200", status: "all" }) }));
  await time("queue: search by reference prefix", 50, async () => await queue({ ctx: dpo, filters: QueueFilters.parse({ q: "DSR-B-00420", status: "all" }) }));
  await time("queue: page 200 of all statuses", 50, async () => await queue({ ctx: dpo, filters: QueueFilters.parse({ status: "all", page: "200" }) }));
  await time("queue: agent of Lille (site scope)", 50, async () => await queue({ ctx: agent, filters: QueueFilters.parse({}) }));
  // The queue page's budget: p95 under 50 ms at 100k tickets.
  for (const [label, m] of Object.entries(results.measures)) {
    if (!label.startsWith("queue:")) continue;
    const q = m as { p95Ms: number; target?: string; pass?: boolean };
    Object.assign(q, { target: "p95 < 50 ms", pass: q.p95Ms < 50 });
    if (!q.pass) console.log(`  target p95 < 50 ms: ${label} → FAIL`);
  }

  // 3. Filing through the service: request, timeline, pause, token, outbox in one transaction.
  const input = IntakeInput.parse({ rights: ["access"], lastName: "Bench", firstName: "Person", email: "filing@example.fr", phone: "", onBehalf: "self", subjectLastName: "", subjectFirstName: "", details: "", rectificationWrong: "", rectificationCorrect: "", contactConsent: true });
  const FILINGS = 2_000;
  const f0 = performance.now();
  for (let i = 0; i < FILINGS; i++) await file({ ctx: { db: db(), now: new Date(), actor: { kind: "requester" } }, input, locale: "fr", mandate: null });
  const fs = (performance.now() - f0) / 1000;
  results.measures["filing (service, no HTTP)"] = { perSecond: Math.round(FILINGS / fs), runs: FILINGS };
  console.log(`${"filing (service, no HTTP)".padEnd(48)} ${(FILINGS / fs).toFixed(0)} requests/s over ${FILINGS}`);
}

try {
  // 4. The deadline engine (no store).
  const D = 100_000;
  const d0 = performance.now();
  for (let i = 0; i < D; i++) dueDate(addDays("2026-01-01", i % 3000));
  const dueRate = D / ((performance.now() - d0) / 1000);
  common.measures["deadline engine (dueDate)"] = { perSecond: Math.round(dueRate) };
  console.log(`${"deadline engine (dueDate)".padEnd(48)} ${dueRate.toFixed(0)} dates/s`);

  for (const store of stores) {
    console.log(`\n— ${STORE_LABEL[store]} —`);
    results = byStore[store] = { measures: {} };
    const url = store === "postgres" ? await freshBenchDatabase("queue") : `file:${path.join(dir, "bench.sqlite")}`;
    process.env.DATABASE_URL = url;
    resetEnvForTests();
    await seed(store, url);
    await benchServices();
    // 5. Over HTTP against the production build, each figure next to the same client against a bare server on the same store.
    const bareServer = await startReferenceServer({ dataDir: path.join(dir, `reference-${store}`), postgresUrl: store === "postgres" ? await freshBenchDatabase("reference", { migrated: false }) : undefined });
    try {
      await benchQueuePageHttp(bareServer.port, store);
      await benchIntakeHttp(bareServer.port, store);
    } finally {
      await bareServer.stop();
    }
    closeDb();
  }

  // 6. At scale: the three connectors, archives (built on each store), memory.
  await benchAtScale();
} finally {
  closeDb();
  await dropBenchDatabases().catch((e: Error) => console.log(`could not drop this run's rd_bench_${process.pid}_* databases: ${e.message}`));
  if (process.env.BENCH_KEEP) console.log(`kept ${dir}`); else rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------
// 5. Over HTTP

/** The production server (scripts/production-server.ts) with this run's data directory, built if stale. */
async function startBenchServer(opts: { name: string; databaseUrl?: string; env?: Record<string, string> }) {
  const { buildIfStale } = await import("./build-if-stale");
  buildIfStale(path.resolve(path.dirname(fileURLToPath(import.meta.url)), ".."), { quiet: true });
  // BENCH_INTAKE_PROFILE=<dir>: a V8 CPU profile of the server, to see where a request's time goes.
  const profile = process.env.BENCH_INTAKE_PROFILE ? ["--cpu-prof", "--cpu-prof-dir", path.resolve(process.env.BENCH_INTAKE_PROFILE)] : [];
  return startProductionServer({ dataDir: path.join(dir, opts.name), databaseUrl: opts.databaseUrl, env: opts.env, nodeArgs: profile });
}

/** One HTTP request to 127.0.0.1, the body read and dropped: the one client every HTTP figure and its reference go through. */
function httpRequest(port: number, method: string, p: string, headers: Record<string, string | number>, body?: string, agent?: import("node:http").Agent) {
  return new Promise<{ status: number; cookies: string[] }>((resolve, reject) => {
    const req = nodeHttp.request({ host: "127.0.0.1", port, path: p, method, headers, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, cookies: res.headers["set-cookie"] ?? [] }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** `runs` GETs one after the other from one client, after 5 warm-up, each expected to answer 200. */
async function sampleGets(port: number, p: string, headers: Record<string, string> = {}, runs = 50) {
  const samples: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const t = performance.now();
    const r = await httpRequest(port, "GET", p, headers);
    if (r.status !== 200) throw new Error(`${p} answered ${r.status}`);
    if (i >= 5) samples.push(performance.now() - t);
  }
  return { ...stats(samples), runs };
}

function msFigures(s: { p50: number; p95: number; max: number }) {
  return { p50Ms: +s.p50.toFixed(2), p95Ms: +s.p95.toFixed(2), maxMs: +s.max.toFixed(2) };
}

/** The DPO's queue page over HTTP (render included) at N tickets: the page's budget is p95 < 50 ms; its reference, the bare server's /healthz over the same client. */
async function benchQueuePageHttp(referencePort: number, store: BenchStore) {
  const server = await startBenchServer({ name: `queue-http-${store}`, databaseUrl: process.env.DATABASE_URL });
  const { port } = server;
  const origin = `http://127.0.0.1:${port}`;
  try {
    const form = new URLSearchParams({ email: "bench.dpo@example.fr", password: "bench-password-123" }).toString();
    const login = await httpRequest(port, "POST", "/admin/connexion", { "content-type": "application/x-www-form-urlencoded", "content-length": String(Buffer.byteLength(form)), origin, "sec-fetch-site": "same-origin" }, form);
    const cookie = login.cookies.map((c) => c.split(";")[0]).join("; ");
    if (login.status !== 302 || !cookie) throw new Error(`bench DPO could not sign in (${login.status}): ${server.stderr().slice(0, 1000)}`);
    const ref = await sampleGets(referencePort, "/healthz");
    // The app's own /healthz (one count of the outbox) for the record: what the stack costs before any page.
    const appHealthz = await sampleGets(port, "/healthz");
    const reference = { method: "GET /healthz on a bare node:http server (scripts/bench-reference.ts), same client", ...msFigures(ref), runs: ref.runs, appHealthz: msFigures(appHealthz) };
    console.log(`${"reference: GET /healthz, bare node:http".padEnd(48)} p50 ${ref.p50.toFixed(2)} ms   p95 ${ref.p95.toFixed(2)} ms   (app's /healthz p95 ${appHealthz.p95.toFixed(2)} ms)`);
    for (const [label, p] of [
      ["queue page (HTTP): default view", "/admin"],
      ["queue page (HTTP): site=paris, right=erasure", "/admin?site=paris&right=erasure"],
    ] as const) {
      const st = await sampleGets(port, p, { cookie });
      const ratioP95 = st.p95 / ref.p95;
      results.measures[label] = { ...msFigures(st), runs: st.runs, target: "p95 < 50 ms", pass: st.p95 < 50, reference, ratioP95: +ratioP95.toFixed(3) };
      console.log(`${label.padEnd(48)} p50 ${st.p50.toFixed(2)} ms   p95 ${st.p95.toFixed(2)} ms   max ${st.max.toFixed(2)} ms   (${st.runs} runs, whole page over HTTP; p95 ${ratioP95.toFixed(1)}× the reference's)`);
    }
  } finally {
    await server.stop();
  }
}

/**
 * CONCURRENCY keep-alive clients POST `posts` valid filings to /demande
 * (urlencoded, as the form without a mandate sends them; a new email each,
 * so the per-person limit never applies), after `warmup` untimed ones, and
 * expect a 302 for each.
 */
async function postFilings(port: number, opts: { posts: number; concurrency: number; warmup: number }) {
  const agent = new nodeHttp.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const post = async (i: number) => {
    const body = new URLSearchParams([
      ["rights", "access"],
      ["lastName", "Bench"],
      ["firstName", "Person"],
      ["email", `intake.${i}@example.fr`],
      ["phone", ""],
      ["onBehalf", "self"],
      ["details", "Enquête téléphonique de mars"],
      ["contactConsent", "on"],
    ]).toString();
    return (await httpRequest(port, "POST", "/demande", { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) }, body, agent)).status;
  };
  let next = 0;
  const latencies: number[] = [];
  let bad = 0;
  const runClients = (count: number, record: boolean) =>
    Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        for (let i = next++; i < count; i = next++) {
          const t = performance.now();
          const status = await post(record ? opts.warmup + i : i);
          if (record) latencies.push(performance.now() - t);
          if (status !== 302) bad++;
        }
      }),
    );
  try {
    await runClients(opts.warmup, false);
    next = 0;
    const t0 = performance.now();
    await runClients(opts.posts, true);
    const seconds = (performance.now() - t0) / 1000;
    return { bad, perSecond: opts.posts / seconds, ...stats(latencies) };
  } finally {
    agent.destroy();
  }
}

/**
 * `npm start` as it runs in production (NODE_ENV and APP_ENV production,
 * request log on, to /dev/null), in its own process on 127.0.0.1 with a fresh
 * database; postFilings against it. The per-address limit is raised for the
 * run; SMTP points at a closed port and the sender loop is off, so mail just
 * queues in the outbox, as it would while the SMTP relay is slow. Then the
 * same posts, same client, against the bare reference server (one INSERT per
 * post). Client and servers share the machine's cores.
 */
async function benchIntakeHttp(referencePort: number, store: BenchStore) {
  const opts = { posts: Number(process.env.BENCH_INTAKE_POSTS ?? (QUICK ? 600 : 3_000)), concurrency: Number(process.env.BENCH_INTAKE_CONCURRENCY ?? 16), warmup: 200 };
  const databaseUrl = store === "postgres" ? await freshBenchDatabase("intake") : undefined;
  const server = await startBenchServer({ name: `http-${store}`, databaseUrl, env: { RATE_LIMIT_FILING_PER_HOUR: "10000000" } });
  let app: Awaited<ReturnType<typeof postFilings>>;
  try {
    app = await postFilings(server.port, opts);
    if (app.bad) throw new Error(`${app.bad} posts were not answered 302: ${server.stderr().slice(0, 2000)}`);
  } finally {
    await server.stop();
  }
  const ref = await postFilings(referencePort, opts);
  if (ref.bad) throw new Error(`${ref.bad} posts to the reference server were not answered 302`);
  const ratio = app.perSecond / ref.perSecond;
  results.measures["intake: form posts per second (HTTP, production build)"] = {
    perSecond: Math.round(app.perSecond),
    posts: opts.posts,
    concurrency: opts.concurrency,
    ...msFigures(app),
    target: "≥ 500/s",
    pass: app.perSecond >= 500,
    reference: { method: `bare node:http server, one prepared ${store === "postgres" ? "PostgreSQL INSERT (pg pool of 10)" : "better-sqlite3 INSERT"} per post (scripts/bench-reference.ts), same posts and client`, perSecond: Math.round(ref.perSecond), ...msFigures(ref) },
    ratio: +ratio.toFixed(3),
  };
  console.log(`${"intake: form posts/s (HTTP, production build)".padEnd(48)} ${app.perSecond.toFixed(0)} posts/s over ${opts.posts}, ${opts.concurrency} clients (p50 ${app.p50.toFixed(1)} ms, p95 ${app.p95.toFixed(1)} ms) — target ≥ 500/s ${app.perSecond >= 500 ? "PASS" : "FAIL"}`);
  console.log(`${"reference: posts/s, bare node:http + INSERT".padEnd(48)} ${ref.perSecond.toFixed(0)} posts/s (p50 ${ref.p50.toFixed(1)} ms, p95 ${ref.p95.toFixed(1)} ms); ratio ${ratio.toFixed(3)}`);
}

// ---------------------------------------------------------------------------
// 6. At scale


/** Every file under `root`, relative paths, sorted (stable archive order). */
function walk(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(root, r));
    else out.push(r);
  }
  return out.sort();
}


async function benchAtScale() {
  const ms = (x: number) => +x.toFixed(2);
  const MiB = 1024 * 1024;
  const RESPONDENTS = size("BENCH_RESPONDENTS", 1_000_000);
  const RECORDINGS = size("BENCH_RECORDINGS", 100_000);
  const REAL_AUDIO = Number(process.env.BENCH_REAL_AUDIO ?? 300);
  const CONTACTS = size("BENCH_CONTACTS", 200_000);
  const ARCHIVE_MB = size("BENCH_ARCHIVE_MB", 1024);
  const SAMPLES = Number(process.env.BENCH_FIND_SAMPLES ?? 200);
  const ANSWERS_EACH = 5;
  const started = performance.now();
  const Database = (await import("better-sqlite3")).default;
  const { createDemoSurveyDatabase } = await import("../app/connectors/sql-survey/demo");
  const { demoSurveyMapping } = await import("../app/connectors/sql-survey/demo-mapping");
  const survey = await import("../app/connectors/sql-survey/index");
  const { createDemoRecordings, demoWav } = await import("../app/connectors/recordings/demo");
  const { wavHeader } = await import("../app/connectors/recordings/wav");
  const recordings = await import("../app/connectors/recordings/index");
  const crmHttp = await import("../app/connectors/crm-http/index");
  const { startDemoCrm } = await import("./demo-crm");
  const { csvField } = await import("../app/utils/csv");
  type ExportRecordT = import("../app/connectors/types").ExportRecord;

  const sizes = { respondents: RESPONDENTS, answersPerRespondent: ANSWERS_EACH, recordings: RECORDINGS, realAudioFiles: REAL_AUDIO, crmContacts: CONTACTS, archiveMB: ARCHIVE_MB, findSamples: SAMPLES, quick: QUICK };
  console.log(`\nat scale: ${JSON.stringify(sizes)}`);
  const setup: Record<string, number> = {};
  const step = async <T>(label: string, fn: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    const out = await fn();
    setup[label] = +((performance.now() - t) / 1000).toFixed(1);
    console.log(`  ${label}: ${setup[label]} s`);
    return out;
  };

  // 5a. The survey database: the demo generator (2–4 answers each), topped up to five answers per respondent.
  const surveyFile = path.join(dir, "survey.sqlite");
  const surveyUrl = `file:${surveyFile}`;
  const created = await step("survey: generate respondents", () => createDemoSurveyDatabase({ dialect: "sqlite", url: surveyUrl }, { respondents: RESPONDENTS, seed: 1991 }));
  const surveyDb = new Database(surveyFile);
  const answers = await step(`survey: top answers up to ${ANSWERS_EACH} each`, () => {
    surveyDb.exec(`
      INSERT INTO answers (respondent_id, question, answer, answered_at)
      SELECT r.id, 'Question complémentaire ' || n.n, 'OUI', r.created_at
      FROM respondents r
      JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5) n
      WHERE n.n > (SELECT count(*) FROM answers a WHERE a.respondent_id = r.id)
      ORDER BY r.id, n.n;
      ANALYZE;`);
    return surveyDb.prepare<[], { n: number }>("SELECT count(*) AS n FROM answers").get()!.n;
  });
  console.log(`  survey: ${created.respondents} respondents, ${answers} answers`);

  // The people looked up: random generated respondents with an email and a phone (both verified).
  const rand = prng(2026);
  const byId = surveyDb.prepare<[number], { id: number; email: string; phone: string | null; last_name: string; first_name: string; postcode: string }>(
    "SELECT id, email, phone, last_name, first_name, postcode FROM respondents WHERE id = ?",
  );
  const people: { id: number; email: string; phone: string; lastName: string; firstName: string; postcode: string }[] = [];
  const taken = new Set<number>();
  while (people.length < SAMPLES + 10) {
    const id = 5 + Math.floor(rand() * RESPONDENTS);
    const row = byId.get(id);
    if (!row?.phone || taken.has(id)) continue;
    taken.add(id);
    people.push({ id, email: row.email.toLowerCase(), phone: row.phone, lastName: row.last_name, firstName: row.first_name, postcode: row.postcode });
  }
  surveyDb.close();

  // 5b. Recordings: metadata for RECORDINGS calls, REAL_AUDIO of them with their own WAV; plus two calls per looked-up person.
  const recRoot = path.join(dir, "recordings");
  const recIndex = path.join(dir, "recordings-index.sqlite");
  const rec = await step("recordings: generate index and audio", () =>
    createDemoRecordings({ root: recRoot, index: recIndex, count: RECORDINGS, realAudio: REAL_AUDIO, seed: 1, now: new Date("2026-03-31T12:00:00Z") }),
  );
  {
    const db = new Database(recIndex);
    const audio = db.prepare<[], { path: string }>("SELECT path FROM recordings WHERE path NOT LIKE 'shared/%' ORDER BY id LIMIT 50").all();
    const insert = db.prepare(
      `INSERT INTO recordings (id, caller_number, called_number, agent_id, site, started_at, duration_s, consent_recorded, survey_id, path)
       VALUES (?, ?, ?, 'agt-tours-01', 'tours', ?, 2, 1, ?, ?)`,
    );
    db.transaction(() => {
      people.forEach((p, i) => {
        insert.run(`rec-b${String(i).padStart(5, "0")}-in`, p.phone, "+33247600000", "2026-03-10T09:00:00.000Z", null, audio[i % audio.length]!.path);
        insert.run(`rec-b${String(i).padStart(5, "0")}-out`, "+33247600000", p.phone, "2026-03-12T14:30:00.000Z", "OSIRIS-RS-2026", audio[(i + 1) % audio.length]!.path);
      });
    })();
    db.close();
  }
  console.log(`  recordings: ${rec.rows} rows (+${people.length * 2} for the looked-up people), ${rec.files} audio files, ${(rec.bytes / MiB).toFixed(1)} MiB`);

  // 5c. The CRM over HTTP on localhost: seeded, then the looked-up people added, then served from the file.
  const crmFile = path.join(dir, "crm.sqlite");
  const token = "bench-crm-token";
  await step("crm: generate contacts", async () => (await startDemoCrm({ port: 0, host: "127.0.0.1", dbPath: crmFile, token, contacts: CONTACTS })).close());
  {
    const db = new Database(crmFile);
    const contact = db.prepare("INSERT INTO contacts (id, email, phone, last_name, first_name, address, postcode, city, created_at) VALUES (?, ?, ?, ?, ?, '1 rue Nationale', ?, 'Tours', '2024-01-02T10:00:00.000Z')");
    const interaction = db.prepare("INSERT INTO interactions (id, contact_id, at, channel, summary, agent_id) VALUES (?, ?, '2026-03-10T09:00:00.000Z', 'phone', 'Questionnaire', 'agt-tours-01')");
    db.transaction(() => {
      people.forEach((p, i) => {
        const id = `c-b${String(i).padStart(6, "0")}`;
        contact.run(id, p.email, p.phone, p.lastName, p.firstName, p.postcode);
        interaction.run(`i-b${String(i).padStart(6, "0")}`, id);
      });
    })();
    db.close();
  }
  const crm = await startDemoCrm({ port: 0, host: "127.0.0.1", dbPath: crmFile, token, contacts: CONTACTS });

  // 5d. find: the three connectors in parallel vs the same lookups done raw, in parallel.
  const connectors = [
    survey.create(
      survey.ConfigSchema.parse({ id: "survey", kind: "sql-survey", label: "Survey", dialect: "sqlite", url: surveyUrl, hashKeyEnv: "SURVEY_MASK_KEY", mapping: demoSurveyMapping }),
      (name) => (name === "SURVEY_MASK_KEY" ? "bench-mask-key" : undefined),
    ),
    recordings.create(recordings.ConfigSchema.parse({ id: "recordings", kind: "recordings", label: "Recordings", root: recRoot, index: recIndex })),
    crmHttp.create(crmHttp.ConfigSchema.parse({ id: "crm", kind: "crm-http", label: "CRM", baseUrl: crm.url, tokenEnv: "BENCH_CRM_TOKEN" }), (name) => (name === "BENCH_CRM_TOKEN" ? token : undefined)),
  ];
  const rawSurvey = new Database(surveyFile, { readonly: true });
  const rawRec = new Database(recIndex, { readonly: true });
  const q = {
    email: rawSurvey.prepare<[string], { id: number }>("SELECT id FROM respondents WHERE lower(email) = ?"),
    phone: rawSurvey.prepare<[string], { id: number }>("SELECT id FROM respondents WHERE phone = ?"),
    answers: rawSurvey.prepare<[number], { id: number }>("SELECT id FROM answers WHERE respondent_id = ? ORDER BY id"),
    calls: rawRec.prepare<[string, string], { id: string }>("SELECT id FROM recordings WHERE caller_number = ? OR called_number = ? ORDER BY started_at, id"),
  };
  const plans = [
    rawSurvey.prepare("EXPLAIN QUERY PLAN SELECT id FROM respondents WHERE lower(email) = ?").all("x"),
    rawRec.prepare("EXPLAIN QUERY PLAN SELECT id FROM recordings WHERE caller_number = ? OR called_number = ? ORDER BY started_at, id").all("x", "x"),
  ].map((rows) => (rows as { detail: string }[]).map((r) => r.detail).join("; "));
  console.log(`  raw query plans: ${plans.join(" | ")}`);
  const auth = { authorization: `Bearer ${token}` };
  const rawFind = (p: (typeof people)[number]) =>
    Promise.all([
      (async () => {
        const ids = new Set([...q.email.all(p.email), ...q.phone.all(p.phone)].map((r) => r.id));
        let n = ids.size;
        for (const id of ids) n += q.answers.all(id).length;
        return n;
      })(),
      (async () => q.calls.all(p.phone, p.phone).length)(),
      (async () => {
        // The same two searches the connector makes, one after the other.
        let n = 0;
        for (const [k, v] of [["email", p.email], ["phone", p.phone]] as const) {
          const res = await fetch(`${crm.url}/contacts?${k}=${encodeURIComponent(v)}`, { headers: auth });
          n += ((await res.json()) as { contacts: unknown[] }).contacts.length;
        }
        return n;
      })(),
    ]);
  const signal = new AbortController().signal;
  const connectorFind = (p: (typeof people)[number]) => Promise.all(connectors.map((c) => c.find({ email: p.email, phone: p.phone }, signal)));

  for (const p of people.slice(SAMPLES)) await Promise.all([connectorFind(p), rawFind(p)].map((x) => x)); // warm-up (10 people not sampled)
  const tConn: number[] = [];
  const tRaw: number[] = [];
  let foundEverywhere = 0;
  const allMatches: import("../app/connectors/types").Match[][] = [[], [], []];
  for (const p of people.slice(0, SAMPLES)) {
    let t = performance.now();
    const found = await connectorFind(p);
    tConn.push(performance.now() - t);
    if (found.every((m) => m.length > 0)) foundEverywhere++;
    found.forEach((m, i) => allMatches[i]!.push(...m));
    t = performance.now();
    await rawFind(p);
    tRaw.push(performance.now() - t);
  }
  const conn = stats(tConn);
  const raw = stats(tRaw);
  const findRatio = conn.p50 / raw.p50;
  console.log(`${"find, 3 connectors in parallel (email+phone)".padEnd(48)} p50 ${conn.p50.toFixed(2)} ms   p95 ${conn.p95.toFixed(2)} ms   (${SAMPLES} people, ${foundEverywhere} found in all three)`);
  console.log(`${"find, raw indexed SQL + CRM fetch, in parallel".padEnd(48)} p50 ${raw.p50.toFixed(2)} ms   p95 ${raw.p95.toFixed(2)} ms   ratio p50 ${findRatio.toFixed(2)}×`);

  // 5e. What an archive holds: the looked-up people's records as JSON and CSV (from the connectors' export),
  // the few hundred real recordings, and big WAV files up to ARCHIVE_MB — all as files on disk.
  const src = path.join(dir, "archive-src");
  const exported: Map<string, ExportRecordT[]> = new Map();
  const byConnector: Record<string, ExportRecordT[]> = {};
  await step("archive: export the looked-up people (3 connectors)", async () => {
    for (const [i, c] of connectors.entries()) {
      const mine: ExportRecordT[] = (byConnector[c.id] = []);
      const sink = {
        record: async (r: ExportRecordT) => {
          mine.push(r);
          (exported.get(r.dataset) ?? exported.set(r.dataset, []).get(r.dataset)!).push(r);
        },
        file: async () => {},
        anomaly: async () => {},
      };
      await c.export(allMatches[i]!, sink);
    }
  });
  for (const c of connectors) await c.close?.();
  await crm.close();
  rawSurvey.close();
  rawRec.close();

  await step("archive: write source files", () => {
    mkdirSync(path.join(src, "data"), { recursive: true });
    for (const [dataset, rows] of exported) {
      const fields = rows.map((r) => r.fields);
      writeFileSync(path.join(src, "data", `${dataset}.json`), `${JSON.stringify(fields, null, 2)}\n`);
      const header = [...new Set(fields.flatMap((f) => Object.keys(f)))];
      writeFileSync(path.join(src, "data", `${dataset}.csv`), `\uFEFF${header.map(csvField).join(",")}\r\n${fields.map((f) => `${header.map((h) => csvField(f[h])).join(",")}\r\n`).join("")}`);
    }
    cpSync(recRoot, path.join(src, "recordings"), { recursive: true });
    const already = walk(src).reduce((n, f) => n + statSync(path.join(src, f)).size, 0);
    const target = ARCHIVE_MB * MiB - already;
    const fileSize = Math.max(MiB, Math.min(16 * MiB, Math.floor(target / 4)));
    const r = prng(7);
    const tone = demoWav(r, { sampleRate: 8000 }, 3).subarray(44);
    mkdirSync(path.join(src, "big"), { recursive: true });
    for (let k = 0, left = target; left >= 4096; k++, left -= fileSize) {
      const pcmBytes = Math.min(fileSize, left) - 44;
      const pcm = Buffer.alloc(pcmBytes);
      for (let o = 0; o < pcmBytes; o += tone.length) tone.copy(pcm, o, 0, Math.min(tone.length, pcmBytes - o));
      pcm[0] = k & 0xff; // no two files alike
      writeFileSync(path.join(src, "big", `2026-03-14_call-${String(k).padStart(4, "0")}.wav`), Buffer.concat([wavHeader({ sampleRate: 8000, channels: 1, bitsPerSample: 16 }, pcmBytes), pcm]));
    }
  });
  const files = walk(src);
  const srcBytes = files.reduce((n, f) => n + statSync(path.join(src, f)).size, 0);
  console.log(`  archive source: ${files.length} files, ${(srcBytes / MiB).toFixed(0)} MiB (${files.filter((f) => f.endsWith(".wav")).length} WAV stored, ${files.filter((f) => !f.endsWith(".wav")).length} JSON/CSV deflated)`);

  // The archive is built by the production code from a real gather store: the records and the WAV files
  // stored encrypted by createGatherSink (untimed, in its own process), then buildArchive sealed as
  // releaseArchive seals it (timed, in a fresh process).
  const recordsFile = path.join(dir, "archive-records.json");
  writeFileSync(recordsFile, JSON.stringify(byConnector));
  const self = fileURLToPath(import.meta.url);
  // One gather store per measured store: its rows in that store, its encrypted files under its own DATA_DIR.
  const archiveOn = {} as Record<BenchStore, { databaseUrl: string; dataDir: string; requestId: number }>;
  for (const store of stores) {
    const databaseUrl = store === "postgres" ? await freshBenchDatabase("archive") : `file:${path.join(dir, "archive.sqlite")}`;
    archiveOn[store] = { databaseUrl, dataDir: path.join(dir, `archive-data-${store}`), requestId: 0 };
  }
  const child = (arg: ArchiveChildArg, store: BenchStore) => {
    // Through a small shell that forks it: Linux hands a process the peak RSS of what it exec'd from,
    // so node spawned straight from this (large) process would start with this process's maxRSS.
    // With the server's V8 setting (package.json "start"), since the server is where archives are built.
    const c = spawnSync("/bin/sh", ["-c", '"$@"; exit $?', "sh", process.execPath, "--max-semi-space-size=4", ...process.execArgv, self], {
      env: { ...process.env, BENCH_ARCHIVE_CHILD: JSON.stringify(arg), DATA_DIR: archiveOn[store].dataDir, DATABASE_URL: archiveOn[store].databaseUrl },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    if (c.status !== 0) throw new Error(`archive child (${arg.mode}, ${store}) failed (${c.status}): ${c.stdout}`);
    return c.stdout.trim().split("\n").at(-1)!;
  };
  for (const store of stores) {
    await step(`archive: store the source as a gather does (encrypted, ${STORE_LABEL[store]})`, () => {
      archiveOn[store].requestId = (JSON.parse(child({ mode: "prepare", src, recordsFile, out: "", requestId: 0 }, store)) as { requestId: number }).requestId;
    });
  }

  // Warm cache for all three: the source and the gather stores were just written (page cache), and are read once before timing.
  // (On PostgreSQL the gathered files are in the database's blob store: nothing on the disk to warm.)
  const gatheredFiles = stores.flatMap((store) => (existsSync(archiveOn[store].dataDir) ? walk(archiveOn[store].dataDir).map((f) => path.join(archiveOn[store].dataDir, f)) : []));
  spawnSync("cat", [...files.map((f) => path.join(src, f)), ...gatheredFiles], { stdio: ["ignore", "ignore", "inherit"] });
  // The reference: the same files through `zip -0` (read, CRC-32, store) piped through `openssl enc` (AES-256 in
  // counter mode: GCM, the app's cipher, is CTR plus an authentication tag, and `openssl enc` has no AEAD mode).
  const missing = ["zip", "openssl"].filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0);
  for (const tool of missing) console.log(`  ${tool} not installed: apt-get install ${tool} (the archive's reference falls back to cp -r)`);
  const referenceMethod = missing.length ? `cp -r, as a fallback: ${missing.join(" and ")} not installed` : "zip -0 -r -D - . | openssl enc -aes-256-ctr -K … -iv … -out …";
  const zipThroughOpenssl = (out: string) => {
    const key = randomBytes(32).toString("hex");
    const iv = randomBytes(16).toString("hex");
    const t = performance.now();
    const z = spawnSync("bash", ["-o", "pipefail", "-c", 'cd "$1" && zip -0 -r -D -q - . | openssl enc -aes-256-ctr -K "$2" -iv "$3" -out "$4"', "bash", src, key, iv, out], { stdio: ["ignore", "inherit", "inherit"] });
    const seconds = (performance.now() - t) / 1000;
    if (z.status !== 0) throw new Error(`zip | openssl failed (${z.status})`);
    return { seconds, bytes: statSync(out).size };
  };
  type ZipRun = { seconds: number; zipBytes: number; baselineRss: number; peakRss: number; maxRss: number; maxRssBefore: number; samples: number };
  const cpRuns: number[] = [];
  const referenceRuns: { seconds: number; bytes: number }[] = [];
  const zipRuns = Object.fromEntries(stores.map((s) => [s, [] as ZipRun[]])) as Record<BenchStore, ZipRun[]>;
  for (let run = 0; run < 2; run++) {
    const dst = path.join(dir, `cp-${run}`);
    const t = performance.now();
    const cp = spawnSync("cp", ["-r", src, dst], { stdio: "inherit" });
    cpRuns.push((performance.now() - t) / 1000);
    if (cp.status !== 0) throw new Error("cp failed");
    rmSync(dst, { recursive: true, force: true });

    const refOut = path.join(dir, `reference-${run}.zip.enc`);
    referenceRuns.push(missing.length ? { seconds: cpRuns[run]!, bytes: srcBytes } : zipThroughOpenssl(refOut));
    rmSync(refOut, { force: true });

    for (const store of stores) {
      const out = path.join(dir, `archive-${run}-${store}.zip.enc`);
      const r = JSON.parse(child({ mode: "build", src, recordsFile, out, requestId: archiveOn[store].requestId }, store)) as ZipRun;
      zipRuns[store].push(r);
      rmSync(out, { force: true });
      console.log(`  run ${run + 1} (${STORE_LABEL[store]}): cp ${cpRuns[run]!.toFixed(2)} s, reference ${referenceRuns[run]!.seconds.toFixed(2)} s, archive ${r.seconds.toFixed(2)} s (zip ${(r.zipBytes / MiB).toFixed(0)} MiB), RSS baseline ${(r.baselineRss / MiB).toFixed(0)} MiB, sampled peak ${(r.peakRss / MiB).toFixed(0)} MiB, maxRSS ${(r.maxRss / MiB).toFixed(0)} MiB (${(r.maxRssBefore / MiB).toFixed(0)} MiB before the build)`);
    }
  }
  const cpBest = Math.min(...cpRuns);
  const referenceBest = referenceRuns.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const cpMBs = srcBytes / MiB / cpBest;
  const referenceMBs = srcBytes / MiB / referenceBest.seconds;
  console.log(`${"reference: archive".padEnd(48)} ${referenceMBs.toFixed(0)} MiB/s (${referenceMethod})   cp -r ${cpMBs.toFixed(0)} MiB/s`);

  const targets: Record<string, { target: string; value: number; pass: boolean }> = {
    findP50Under50ms: { target: "find p50 < 50 ms", value: ms(conn.p50), pass: conn.p50 < 50 },
    findWithin3xRaw: { target: "find p50 ≤ 3 × raw p50", value: +findRatio.toFixed(2), pass: findRatio <= 3 },
  };
  /** The archive figures of one store; the references (cp -r, zip | openssl) are the same runs for every store. */
  const archiveFigures = (store: BenchStore) => {
    const runs = zipRuns[store];
    const zipBest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const zipMBs = srcBytes / MiB / zipBest.seconds;
    const archiveRatio = zipMBs / cpMBs;
    const archiveToReference = zipMBs / referenceMBs;
    const peakRss = Math.max(...runs.map((r) => r.peakRss), ...runs.map((r) => r.maxRss));
    const baselineRss = Math.min(...runs.map((r) => r.baselineRss));
    const on = store === "sqlite" ? "" : ` on ${STORE_LABEL[store]}`;
    console.log(`${`archive build${on} (buildArchive, decrypt, zip, seal)`.padEnd(48)} ${zipMBs.toFixed(0)} MiB/s   cp -r ${cpMBs.toFixed(0)} MiB/s   ratio ${(archiveRatio * 100).toFixed(0)} %   ratio to reference ${archiveToReference.toFixed(3)}`);
    console.log(`${`archive build peak RSS${on}`.padEnd(48)} ${(peakRss / MiB).toFixed(0)} MiB (baseline ${(baselineRss / MiB).toFixed(0)} MiB, +${((peakRss - baselineRss) / MiB).toFixed(0)} MiB; ratio ${(peakRss / baselineRss).toFixed(2)})`);
    // SQLite keeps the targets' historical keys; another store's carry its name.
    const key = (k: string) => (store === "sqlite" ? k : `${k}On${STORE_LABEL[store]}`);
    targets[key("archiveAtLeast80PctOfCp")] = { target: `archive throughput ≥ 80 % of cp${on}`, value: +archiveRatio.toFixed(3), pass: archiveRatio >= 0.8 };
    targets[key("rssUnder200MB")] = { target: `peak RSS of the archive build < 200 MB${on}`, value: +(peakRss / 1e6).toFixed(1), pass: peakRss < 200e6 };
    return {
      method: `app/services/archive.server.ts buildArchive, sealed with an AES-256-GCM cipher as releaseArchive does, in a fresh child process, from a gather store written by createGatherSink (records and WAV files encrypted at rest; its rows in ${STORE_LABEL[store]}); its reference: zip -0 piped through openssl enc over the same records as JSON/CSV and the same WAV files in clear (see reference.method); the target's: cp -r of those files`,
      sourceFiles: files.length,
      sourceMiB: +(srcBytes / MiB).toFixed(1),
      zipMiB: +(zipBest.zipBytes / MiB).toFixed(1),
      archiveSeconds: runs.map((r) => +r.seconds.toFixed(3)),
      cpSeconds: cpRuns.map((s) => +s.toFixed(3)),
      archiveMiBps: +zipMBs.toFixed(1),
      cpMiBps: +cpMBs.toFixed(1),
      ratio: +archiveRatio.toFixed(3),
      reference: { method: referenceMethod, seconds: referenceRuns.map((r) => +r.seconds.toFixed(3)), MiBps: +referenceMBs.toFixed(1), outMiB: +(referenceBest.bytes / MiB).toFixed(1) },
      ratioToReference: +archiveToReference.toFixed(3),
      cache: "warm: source read once before timing; all three write to the page cache, none fsyncs; best of 2 runs each",
      rss: { baselineMiB: +(baselineRss / MiB).toFixed(1), peakMiB: +(peakRss / MiB).toFixed(1), sampledPeakMiB: runs.map((r) => +(r.peakRss / MiB).toFixed(1)), maxRssMiB: runs.map((r) => +(r.maxRss / MiB).toFixed(1)), maxRssBeforeBuildMiB: runs.map((r) => +(r.maxRssBefore / MiB).toFixed(1)), peakOverBaselineMiB: +((peakRss - baselineRss) / MiB).toFixed(1), sampledEveryMs: 50, samples: runs.map((r) => r.samples), reference: { method: "the same child process at rest, before the build (modules loaded, database open)", MiB: +(baselineRss / MiB).toFixed(1) }, ratioToReference: +(peakRss / baselineRss).toFixed(3) },
    };
  };
  const archive = Object.fromEntries(stores.map((s) => [s, archiveFigures(s)])) as Partial<Record<BenchStore, ReturnType<typeof archiveFigures>>>;
  const atScale = {
    sizes,
    generated: { respondents: created.respondents, answers, recordings: rec.rows + people.length * 2, realAudioFiles: rec.files, crmContacts: CONTACTS + 3 + people.length },
    setupSeconds: setup,
    find: {
      samples: SAMPLES,
      foundInAllThree: foundEverywhere,
      connectors: { p50Ms: ms(conn.p50), p95Ms: ms(conn.p95), maxMs: ms(conn.max) },
      raw: { p50Ms: ms(raw.p50), p95Ms: ms(raw.p95), maxMs: ms(raw.max) },
      ratioP50: +findRatio.toFixed(2),
      ratioP95: +(conn.p95 / raw.p95).toFixed(2),
      rawQueryPlans: plans,
      store: "none: the connectors' own databases and HTTP, whichever store RightsDesk runs on",
    },
    /** Per store: the archive is built from a gather store whose rows live in RightsDesk's database. */
    archive,
    targets,
    totalSeconds: +((performance.now() - started) / 1000).toFixed(1),
  };
  for (const v of Object.values(targets)) console.log(`  target ${v.target}: ${v.value} → ${v.pass ? "PASS" : "FAIL"}`);
  writeResults(atScale);
}

function writeResults(atScale: { find: HeadlineAtScale["find"]; archive: Partial<Record<BenchStore, HeadlineAtScale["archive"]>>; targets: Record<string, { target: string; value: number; pass: boolean }> }) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGiB: +(os.totalmem() / 1024 ** 3).toFixed(1),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
  };
  const pageKey = "queue page (HTTP): ";
  // Each store's headline figures against the references measured on that store (find: the same measure for all).
  const headline: Partial<Record<BenchStore, HeadlineFigure[]>> = {};
  for (const store of stores) {
    const measures = byStore[store]!.measures;
    headline[store] = headlineFigures(
      {
        intake: measures["intake: form posts per second (HTTP, production build)"] as HeadlineMeasures["intake"],
        pages: Object.entries(measures)
          .filter(([k]) => k.startsWith(pageKey))
          .map(([k, v]) => [k.slice(pageKey.length), v as HeadlineMeasures["pages"][number][1]]),
      },
      { find: atScale.find, archive: atScale.archive[store]! },
    );
    printHeadline(headline[store], STORE_LABEL[store]);
  }
  const doc = { date: new Date().toISOString(), machine, quick: QUICK, tickets: N, stores, headline, results: byStore, measures: common.measures, atScale };
  const benchDir = path.join(root, "bench");
  mkdirSync(benchDir, { recursive: true });
  writeFileSync(path.join(benchDir, "results.json"), `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`wrote bench/results.json`);
  if (QUICK || process.env.BENCH_NO_DOCS) return;
  const docsFile = path.join(root, "docs", "benchmarks.md");
  writeFileSync(docsFile, renderBenchDocs(doc as unknown as BenchDoc, readFileSync(docsFile, "utf8")));
  console.log("updated docs/benchmarks.md");
}

type ArchiveChildArg = { mode: "prepare" | "build"; src: string; recordsFile: string; out: string; requestId: number };

/** In a fresh process, untimed: a request whose gather stored the exported records and every WAV under `src`. */
async function archivePrepare(arg: ArchiveChildArg) {
  const { db } = await import("../app/utils/db.server");
  const { requests } = await import("../db/schema/requests");
  const { gatherJobs } = await import("../db/schema/gather");
  const { createGatherSink } = await import("../app/services/gather-store.server");
  const now = new Date();
  const request = (await first(db()
    .insert(requests)
    .values({ reference: "BENCH-ARCHIVE", rights: ["access"], channel: "web", status: "in_progress", locale: "fr", lastName: "Bench", firstName: "Archive", verificationMethod: "email", receivedAt: now, createdAt: now, updatedAt: now })
    .returning({ id: requests.id })))!;
  const job = async (connectorId: string) => {
    const { id } = (await first(db().insert(gatherJobs).values({ requestId: request.id, connectorId, status: "done", queuedAt: now, finishedAt: now }).returning({ id: gatherJobs.id })))!;
    return createGatherSink(db(), { id, requestId: request.id, connectorId });
  };
  const records = JSON.parse(readFileSync(arg.recordsFile, "utf8")) as Record<string, import("../app/connectors/types").ExportRecord[]>;
  for (const [connectorId, rows] of Object.entries(records)) {
    const sink = await job(connectorId);
    for (const r of rows) await sink.record(r);
  }
  const audio = await job("bench-audio");
  for (const f of walk(arg.src).filter((f) => f.endsWith(".wav"))) {
    const file = path.join(arg.src, f);
    await audio.file({ dataset: "recordings", key: f, name: path.basename(f), contentType: "audio/wav", size: statSync(file).size, open: () => createReadStream(file) });
  }
  console.log(JSON.stringify({ requestId: request.id }));
}

/** In a fresh process: the production buildArchive over that gather store, sealed as delivery seals it; prints one JSON line. */
async function archiveChild(arg: ArchiveChildArg) {
  const { db } = await import("../app/utils/db.server");
  const { buildArchive } = await import("../app/services/archive.server");
  const { fileCipher } = await import("../app/utils/crypto.server");
  const registry = { get: () => undefined };
  db(); // opened (and migrated) before timing
  const baselineRss = process.memoryUsage().rss;
  const maxRssBefore = process.resourceUsage().maxRSS * 1024;
  let peakRss = baselineRss;
  let samples = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    samples++;
  }, 50);
  const t0 = performance.now();
  const { cipher } = fileCipher("bench-archive");
  const built = await buildArchive({ db: db(), requestId: arg.requestId, kind: "access", out: arg.out, now: new Date("2026-03-31T12:00:00Z"), registry, seal: cipher });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  if (!existsSync(arg.out)) throw new Error("no archive written");
  console.log(JSON.stringify({ seconds, zipBytes: built.bytes, baselineRss, peakRss, maxRss, maxRssBefore, samples }));
}
