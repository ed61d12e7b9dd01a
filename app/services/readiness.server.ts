import { count, eq, inArray, lt, min } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { gatherJobs } from "../../db/schema/gather";
import { outbox } from "../../db/schema/outbox";
import { erasurePlans } from "../../db/schema/rights";
import type { Registry } from "../connectors/registry";
import type { Connector } from "../connectors/types";
import { rawGet, type Db } from "../utils/db.server";
import { probeConnector } from "./connector-health.server";

/**
 * The readiness report (GET /readyz; docs/operations.md, "Monitoring"):
 * whether the database answers, each connector's state, and the job backlog.
 * Counts and ages only: no reference, no name, no address, no error text.
 *
 * status: "down" when the database does not answer (the process can serve
 * nothing); "degraded" when a connector is down or the oldest email waiting
 * to be sent is older than READY_EMAIL_BACKLOG_SECONDS (requests are still
 * taken, but searches or mail are late); "ok" otherwise.
 */
export type ConnectorState = { id: string; state: "up" | "down"; breaker?: "closed" | "open" | "half-open"; since: string };
export type JobCounts = {
  gatherPending: number;
  gatherRunning: number;
  /** running, but the lease has run out: a worker died; another takes it over */
  gatherStalled: number;
  erasuresPending: number;
  erasuresRunning: number;
  pendingEmails: number;
  pendingSms: number;
  oldestPendingEmailAgeSeconds: number | null;
};
export type Readiness = {
  status: "ok" | "degraded" | "down";
  database: { ok: boolean; latencyMs: number };
  connectors: ConnectorState[];
  jobs: JobCounts | null;
  /** why the status is not "ok", as codes */
  reasons: string[];
};

/** How long a connector's probe result is reused: a load balancer polling every few seconds must not hammer a CRM. */
const PROBE_TTL_MS = 15_000;
/** A probe slower than this counts as down: readiness must answer before the load balancer's own timeout. */
const PROBE_BOUND_MS = 3_000;

type Known = { state: ConnectorState["state"]; since: Date; checkedAt: number };
const known = new Map<string, Known>();
let refreshing: Promise<void> | null = null;

/**
 * The connectors as this process sees them: its last health check (at most
 * PROBE_TTL_MS old) and, for those that have one, its circuit breaker. A
 * connector whose breaker is open is down without a call (that is what the
 * breaker is for); its health check otherwise goes through the breaker, so
 * the same failures open it.
 */
async function connectorStates(registry: Pick<Registry, "list">, now: Date): Promise<ConnectorState[]> {
  const list = registry.list();
  const stale = list.some((c) => (known.get(c.id)?.checkedAt ?? 0) < now.getTime() - PROBE_TTL_MS);
  if (stale) {
    refreshing ??= Promise.all(
      list.map(async (c) => {
        const probe = await probeConnector(c, PROBE_BOUND_MS);
        record(c.id, probe.ok && breakerOf(c) !== "open" ? "up" : "down", new Date());
      }),
    )
      .then(() => undefined)
      .finally(() => (refreshing = null));
    await refreshing;
  }
  return list.map((c) => {
    const breaker = breakerOf(c);
    if (breaker === "open") record(c.id, "down", now);
    const k = known.get(c.id)!;
    return { id: c.id, state: k.state, ...(breaker ? { breaker } : {}), since: k.since.toISOString() };
  });
}

function record(id: string, state: Known["state"], at: Date) {
  const before = known.get(id);
  known.set(id, { state, since: before && before.state === state ? before.since : at, checkedAt: Math.max(at.getTime(), before?.checkedAt ?? 0) });
}

function breakerOf(c: Connector): ConnectorState["breaker"] | undefined {
  const b = (c as Connector & { breaker?: { state?: unknown } }).breaker?.state;
  return b === "closed" || b === "open" || b === "half-open" ? b : undefined;
}

/** Counted with portable SQL (SQLite and PostgreSQL); PostgreSQL's count comes back as a string, hence Number(). */
async function jobCounts(db: Db, now: Date): Promise<JobCounts> {
  const gather = await db
    .select({ status: gatherJobs.status, n: count(), stalled: sql<number>`sum(CASE WHEN ${lt(gatherJobs.leaseUntil, now)} THEN 1 ELSE 0 END)` })
    .from(gatherJobs)
    .where(inArray(gatherJobs.status, ["queued", "running"]))
    .groupBy(gatherJobs.status);
  const erasures = await db
    .select({ status: erasurePlans.status, n: count() })
    .from(erasurePlans)
    .where(inArray(erasurePlans.status, ["approved", "executing"]))
    .groupBy(erasurePlans.status);
  const mail = await db
    .select({ channel: outbox.channel, n: count(), oldest: min(outbox.createdAt) })
    .from(outbox)
    .where(eq(outbox.status, "pending"))
    .groupBy(outbox.channel);
  const of = <R extends { n: unknown }>(rows: R[], match: (r: R) => boolean) => Number(rows.find(match)?.n ?? 0);
  const running = gather.find((r) => r.status === "running");
  const oldest = mail.find((r) => r.channel === "email")?.oldest;
  const oldestMs = oldest == null ? null : oldest instanceof Date ? oldest.getTime() : Number(oldest);
  return {
    gatherPending: of(gather, (r) => r.status === "queued"),
    gatherRunning: of(gather, (r) => r.status === "running"),
    gatherStalled: Number(running?.stalled ?? 0),
    erasuresPending: of(erasures, (r) => r.status === "approved"),
    erasuresRunning: of(erasures, (r) => r.status === "executing"),
    pendingEmails: of(mail, (r) => r.channel === "email"),
    pendingSms: of(mail, (r) => r.channel === "sms"),
    oldestPendingEmailAgeSeconds: oldestMs === null ? null : Math.max(0, Math.floor((now.getTime() - oldestMs) / 1000)),
  };
}

export async function readiness({ db, registry, now = new Date(), emailBacklogSeconds }: { db: () => Db; registry: () => Pick<Registry, "list">; now?: Date; emailBacklogSeconds: number }): Promise<Readiness> {
  const started = performance.now();
  let jobs: JobCounts | null = null;
  let dbOk = true;
  try {
    await rawGet(db(), sql`SELECT 1`);
    jobs = await jobCounts(db(), now);
  } catch {
    dbOk = false;
  }
  const database = { ok: dbOk, latencyMs: Math.round(performance.now() - started) };
  let states: ConnectorState[] = [];
  const reasons: string[] = [];
  try {
    states = await connectorStates(registry(), now);
  } catch {
    // An unreadable connectors file stops start-up; changed since, it is the operator's to see.
    reasons.push("connectors_unreadable");
  }
  if (!dbOk) reasons.push("database_down");
  for (const c of states) if (c.state === "down") reasons.push(`connector_down:${c.id}`);
  if (jobs?.oldestPendingEmailAgeSeconds != null && jobs.oldestPendingEmailAgeSeconds > emailBacklogSeconds) reasons.push("email_backlog");
  const status = !dbOk ? "down" : reasons.length ? "degraded" : "ok";
  return { status, database, connectors: states, jobs, reasons };
}
