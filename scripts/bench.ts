/**
 * `npm run bench`: timings that matter to users, on a throw-away database.
 *  - the DPO queue at 100,000 tickets (default view, filters, deep pages);
 *  - filing a web request through the service (transaction + outbox);
 *  - the deadline engine.
 * Prints one line per measure; docs/benchmarks.md records a run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-bench-"));
process.env.APP_ENV = "test";
process.env.APP_SECRET ??= "bench-secret-bench-secret-bench-secret-0123";
process.env.DATA_DIR = dir;
process.env.DATABASE_URL = `file:${path.join(dir, "bench.sqlite")}`;
process.env.LOG_LEVEL = "silent";

const { db } = await import("../app/utils/db.server");
const { createStaff, toActor } = await import("../app/services/staff.server");
const { queue, QueueFilters } = await import("../app/services/tickets.server");
const { file } = await import("../app/services/requests.server");
const { IntakeInput } = await import("../app/services/intake-input");
const { dueDate, addDays, parisDate } = await import("../app/services/deadlines");

const N = Number(process.env.BENCH_TICKETS ?? 100_000);

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p95: q(0.95), max: s.at(-1)! };
}

function time(label: string, runs: number, fn: () => void) {
  for (let i = 0; i < 3; i++) fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  const { p50, p95, max } = stats(samples);
  console.log(`${label.padEnd(48)} p50 ${p50.toFixed(2)} ms   p95 ${p95.toFixed(2)} ms   max ${max.toFixed(2)} ms   (${runs} runs)`);
}

// 1. Fill the requests table with N tickets spread over five sites and 18 months.
const sqlite = (db() as unknown as { $client: import("better-sqlite3").Database }).$client;
const statuses = ["received", "in_progress", "awaiting_requester", "ready", "completed", "completed", "completed", "refused", "cancelled"];
const sites = ["lille", "paris", "tours", "bordeaux", "toulouse", null];
const rights = ['["access"]', '["erasure"]', '["objection"]', '["access","portability"]', '["rectification"]'];
const channels = ["web", "phone", "email", "mail", "in_person"];
const insert = sqlite.prepare(`INSERT INTO requests (reference, rights, channel, site, status, locale, last_name, first_name, email, verification_method, received_at, due_on, effective_due_on, created_at, updated_at, closed_at)
  VALUES (?, ?, ?, ?, ?, 'fr', 'Bench', 'Person', ?, 'email', ?, ?, ?, ?, ?, ?)`);
const now = Date.now();
const t0 = performance.now();
sqlite.transaction(() => {
  for (let i = 0; i < N; i++) {
    const received = now - ((i * 7919) % (540 * 86_400_000 / 1000)) * 1000;
    const receivedOn = parisDate(new Date(received));
    const due = addDays(receivedOn, 30 + (i % 3));
    const status = statuses[i % statuses.length]!;
    insert.run(`DSR-B-${String(i).padStart(7, "0")}`, rights[i % rights.length], channels[i % channels.length], sites[i % sites.length], status, `bench${i}@example.fr`, received, due, due, received, received, status === "completed" ? received + 20 * 86_400_000 : null);
  }
})();
sqlite.exec("ANALYZE");
console.log(`seeded ${N} tickets in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const { staff: dpoRow } = await createStaff({ ctx: { db: db(), now: new Date(), actor: { kind: "system" } }, input: { email: "bench.dpo@example.fr", displayName: "Bench DPO", role: "dpo", site: "tours" }, password: "bench-password-123" });
const { staff: agentRow } = await createStaff({ ctx: { db: db(), now: new Date(), actor: { kind: "system" } }, input: { email: "bench.agent@example.fr", displayName: "Bench agent", role: "agent", site: "lille" }, password: "bench-password-123" });
const dpo = { db: db(), now: new Date(), actor: toActor(dpoRow) };
const agent = { db: db(), now: new Date(), actor: toActor(agentRow) };

// 2. The queue.
time("queue: default (open, by due date), page 1", 50, () => queue({ ctx: dpo, filters: QueueFilters.parse({}) }));
time("queue: site=paris, right=erasure", 50, () => queue({ ctx: dpo, filters: QueueFilters.parse({ site: "paris", right: "erasure" }) }));
time("queue: search by number (\"4200\")", 50, () => queue({ ctx: dpo, filters: QueueFilters.parse({ q: "4200", status: "all" }) }));
time("queue: search by reference prefix", 50, () => queue({ ctx: dpo, filters: QueueFilters.parse({ q: "DSR-B-00420", status: "all" }) }));
time("queue: page 200 of all statuses", 50, () => queue({ ctx: dpo, filters: QueueFilters.parse({ status: "all", page: "200" }) }));
time("queue: agent of Lille (site scope)", 50, () => queue({ ctx: agent, filters: QueueFilters.parse({}) }));

// 3. Filing through the service: request, timeline, pause, token, outbox in one transaction.
const input = IntakeInput.parse({ rights: ["access"], lastName: "Bench", firstName: "Person", email: "filing@example.fr", phone: "", onBehalf: "self", subjectLastName: "", subjectFirstName: "", details: "", rectificationWrong: "", rectificationCorrect: "", contactConsent: true });
const FILINGS = 2_000;
const f0 = performance.now();
for (let i = 0; i < FILINGS; i++) file({ ctx: { db: db(), now: new Date(), actor: { kind: "requester" } }, input, locale: "fr", mandate: null });
const fs = (performance.now() - f0) / 1000;
console.log(`${"filing (service, no HTTP)".padEnd(48)} ${(FILINGS / fs).toFixed(0)} requests/s over ${FILINGS}`);

// 4. The deadline engine.
const D = 100_000;
const d0 = performance.now();
for (let i = 0; i < D; i++) dueDate(addDays("2026-01-01", i % 3000));
console.log(`${"deadline engine (dueDate)".padEnd(48)} ${(D / ((performance.now() - d0) / 1000)).toFixed(0)} dates/s`);

if (process.env.BENCH_KEEP) console.log(`kept ${dir}`); else rmSync(dir, { recursive: true, force: true });
