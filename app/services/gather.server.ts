import { and, asc, desc, eq, inArray, isNull, lt, or } from "drizzle-orm";
import { archives } from "../../db/schema/archives";
import { gatherJobs, type GatherJob } from "../../db/schema/gather";
import { requests } from "../../db/schema/requests";
import type { Registry } from "../connectors/registry";
import type { Connector, Match } from "../connectors/types";
import type { Db, DbOrTx } from "../utils/db.server";
import { env } from "../utils/env.server";
import { log, scrub } from "../utils/log.server";
import * as audit from "./audit.server";
import { requireRole } from "./authz";
import type { Ctx } from "./context";
import { DomainError } from "./errors";
import { loadTicket } from "./ticket-access.server";
import { createGatherSink, purgeAttempt, purgeEarlierJobs, purgeJob } from "./gather-store.server";
import { discardBlobs } from "../utils/blob-store.server";
import { keepLease, LeaseLost, requireOwned } from "./leases.server";
import { referAfterGather } from "./referrals.server";
import { addEvent } from "./requests.server";
import { asIdentity, searchIdentifiers, type SearchIdentifier } from "./identifiers.server";
import { first, withTx, changes, skipLocked } from "../utils/db.server";
import { filterInOrder } from "../utils/in-order";

/** Statuses in which a ticket's identity is verified and its data may be searched. */
const GATHERABLE = ["received", "in_progress", "awaiting_requester", "ready"] as const;
/** A worker's lease on a job (JOB_LEASE_SECONDS), renewed every third of it while it runs: a crashed worker's job is free again soon. */
const leaseMs = () => env().JOB_LEASE_SECONDS * 1000;
const FIND_TIMEOUT_MS = 60_000;

/** Staff need a role and site access; the operator CLI runs as the system, trusted with the shell. */
const GATHER_ACCESS = { system: true, roles: ["dpo", "support"], statuses: { in: GATHERABLE, to: "gather" }, mandate: "accepted" } as const;

/**
 * A job for one connector, unless one is already waiting (or, by default,
 * running). `afterRunning`: a search with something new (a changed system, a
 * confirmed identifier) queues behind one already running, which started
 * without it.
 */
async function enqueue(tx: DbOrTx, requestId: number, connectorId: string, now: Date, opts: { afterRunning?: boolean } = {}) {
  const active = await first(tx
    .select({ id: gatherJobs.id })
    .from(gatherJobs)
    .where(and(eq(gatherJobs.requestId, requestId), eq(gatherJobs.connectorId, connectorId), inArray(gatherJobs.status, opts.afterRunning ? ["queued"] : ["queued", "running"]))));
  if (active) return false;
  await tx.insert(gatherJobs).values({ requestId, connectorId, status: "queued", queuedAt: now });
  return true;
}

/** One job per configured connector; the worker loop runs them. */
export async function startGather({ ctx, reference, registry }: { ctx: Ctx; reference: string; registry: Registry }) {
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, ctx.actor, reference, GATHER_ACCESS);
    const connectorIds = registry.list().map((c) => c.id);
    if (connectorIds.length === 0) throw new DomainError("invalid_input", { code: "no_connectors" });
    const queued = await filterInOrder(connectorIds, async (id) => await enqueue(tx, r.id, id, ctx.now));
    await addEvent(tx, r.id, ctx, "gather_started", { connectors: queued });
    await audit.append(tx, { actor: ctx.actor, action: "gather.started", reference: r.reference, details: { connectors: queued }, at: ctx.now });
    return queued;
  });
}

/** Runs one connector again (after a failure, or to refresh). */
export async function rerunConnector({ ctx, reference, connectorId, registry }: { ctx: Ctx; reference: string; connectorId: string; registry: Registry }) {
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, ctx.actor, reference, GATHER_ACCESS);
    if (!registry.get(connectorId)) throw new DomainError("invalid_input", { field: "connectorId" });
    // At once, even behind a job still marked running (its worker may have died): the latest to finish counts.
    const queued = await enqueue(tx, r.id, connectorId, ctx.now, { afterRunning: true });
    await audit.append(tx, { actor: ctx.actor, action: "gather.connector_rerun", reference: r.reference, details: { connectorId }, at: ctx.now });
    return queued;
  });
}

/**
 * Takes the next due job — queued, or running with an expired lease (its
 * process died) — by compare-and-set on (id, status, attempt, lease): of two
 * workers that read the same job, one wins it and the other takes the next.
 */
async function claim(db: Db, now: Date): Promise<GatherJob | undefined> {
  const due = or(eq(gatherJobs.status, "queued"), and(eq(gatherJobs.status, "running"), or(isNull(gatherJobs.leaseUntil), lt(gatherJobs.leaseUntil, now))));
  return await withTx(db, async (tx) => {
    // Jobs another worker is claiming right now are skipped, not waited for (PostgreSQL SKIP LOCKED).
    const candidates = await skipLocked(tx, tx
      .select()
      .from(gatherJobs)
      .where(due)
      .orderBy(asc(gatherJobs.queuedAt), asc(gatherJobs.id))
      .limit(5));
    for (const next of candidates) {
      const won = (await first(tx
        .update(gatherJobs)
        .set({ status: "running", attempts: next.attempts + 1, leaseUntil: new Date(now.getTime() + leaseMs()), startedAt: now, error: null })
        // The same job, as we read it, still due: of two workers that read it, one changes the row.
        .where(and(eq(gatherJobs.id, next.id), eq(gatherJobs.attempts, next.attempts), due))
        .returning()))!;
      if (won) return won;
    }
    return undefined;
  });
}

/**
 * Searches one connector with every identifier it can use, one search per
 * identifier, and merges what they found (a record found twice keeps the
 * stronger key). Also used by erasure to search again afterwards.
 */
export async function searchConnector(connector: Connector, ids: SearchIdentifier[], signal: AbortSignal): Promise<Match[]> {
  const found = new Map<string, Match>();
  for (const id of ids) {
    if (!connector.searchableBy.includes(id.kind)) continue;
    for (const m of await connector.find(asIdentity(id), signal)) {
      const k = `${m.dataset}\u0000${m.key}`;
      const prev = found.get(k);
      if (!prev || RANK[m.matchedOn] > RANK[prev.matchedOn]) found.set(k, m);
    }
  }
  return [...found.values()];
}
const RANK: Record<Match["matchedOn"], number> = { name_postcode: 0, phone: 1, email: 2 };

/** What a job records of the identifiers it used: kinds and origins, never values. */
function describe(ids: SearchIdentifier[]) {
  return ids.map((i) => ({ kind: i.kind, origin: i.origin === "found" && i.source ? `found:${i.source}` : i.origin }));
}

/**
 * One pass of the gather worker: find, then export into the encrypted store.
 * A failure is recorded on the job (scrubbed message) and never touches the
 * other connectors' jobs. A connector that none of the ticket's identifiers
 * can search is recorded as not searched, with what was missing. Returns
 * false when there was nothing to do.
 */
export async function runNextJob({ db, registry, now = () => new Date() }: { db: Db; registry: Registry; now?: () => Date }): Promise<boolean> {
  const job = await claim(db, now());
  if (!job) return false;
  const started = Date.now();
  const r = (await first(db.select().from(requests).where(eq(requests.id, job.requestId))))!;
  const connector = registry.get(job.connectorId);
  // Ours while our attempt is the job's: every write that finishes the job says so.
  const mine = and(eq(gatherJobs.id, job.id), eq(gatherJobs.attempts, job.attempts), eq(gatherJobs.status, "running"));
  const lease = keepLease(async () => (changes(await db.update(gatherJobs).set({ leaseUntil: new Date(now().getTime() + leaseMs()) }).where(mine))) === 1, leaseMs() / 3);
  // Every way this attempt ends (done, not searched, failed) is recorded the same way, and only while the job is ours.
  const finish = async (tx: DbOrTx, outcome: Partial<GatherJob> & { status: "done" | "skipped" | "failed" }) =>
    await tx
      .update(gatherJobs)
      .set({ ...outcome, finishedAt: now(), durationMs: Date.now() - started, leaseUntil: null })
      .where(mine);
  const system: Ctx = { db, now: now(), actor: { kind: "system" } };
  let stale: string[] = [];
  await purgeJob(db, job.id); // a previous, interrupted attempt starts over clean
  try {
    if (!connector) throw new Error(`connector "${job.connectorId}" is no longer configured`);
    const ids = (await searchIdentifiers(db, r)).filter((i) => connector.searchableBy.includes(i.kind));
    if (ids.length === 0) {
      stale = (await withTx(db, async (tx) => {
        requireOwned(await finish(tx, { status: "skipped", matches: null, records: null, files: null, anomalies: null, identifiers: [], missing: [...connector.searchableBy] }), "gather");
        await addEvent(tx, r.id, system, "gather_connector_skipped", { connectorId: job.connectorId, missing: connector.searchableBy });
        await audit.append(tx, { actor: { kind: "system" }, action: "gather.skipped", reference: r.reference, details: { connectorId: job.connectorId, jobId: job.id, attempt: job.attempts, missing: connector.searchableBy }, at: now() });
        return await purgeEarlierJobs(tx, job);
      }));
      return true;
    }
    const matches = await searchConnector(connector, ids, AbortSignal.timeout(FIND_TIMEOUT_MS));
    lease.check("gather");
    const sink = createGatherSink(db, job, now);
    await sink.matches(matches);
    const summary = matches.length ? await connector.export(matches, sink) : { records: 0, files: 0, anomalies: 0 };
    stale = (await withTx(db, async (tx) => {
      requireOwned(
        await finish(tx, { status: "done", matches: matches.length, records: summary.records, files: summary.files, anomalies: summary.anomalies, identifiers: describe(ids), missing: [] }),
        "gather",
      );
      await addEvent(tx, r.id, system, "gather_connector_done", { connectorId: job.connectorId, records: summary.records });
      // Found in data held for a client (as its processor): the request goes to that client, with this result.
      await referAfterGather(tx, { ...system, now: now() }, r, connector, matches);
      await audit.append(tx, { actor: { kind: "system" }, action: "gather.completed", reference: r.reference, details: { connectorId: job.connectorId, jobId: job.id, attempt: job.attempts, matches: matches.length, records: summary.records, files: summary.files, identifiers: describe(ids) }, at: now() });
      return await purgeEarlierJobs(tx, job);
    }));
  } catch (error) {
    if (error instanceof LeaseLost) {
      // Another worker took the job over: what this attempt wrote is not the result; it goes, and nothing is recorded.
      stale = (await purgeAttempt(db, job));
      log.warn("gather.lease_lost", { reference: r.reference, connectorId: job.connectorId, attempt: job.attempts });
      return true;
    }
    // What this attempt stored, and only that: if it lost the job before failing, the new owner's results stay.
    stale = (await purgeAttempt(db, job));
    const message = scrub(error instanceof Error ? error.message : String(error));
    await withTx(db, async (tx) => {
      if ((await finish(tx, { status: "failed", error: message })).changes !== 1) return;
      await addEvent(tx, r.id, system, "gather_connector_failed", { connectorId: job.connectorId });
      await audit.append(tx, { actor: { kind: "system" }, action: "gather.failed", reference: r.reference, details: { connectorId: job.connectorId, jobId: job.id, attempt: job.attempts }, at: now() });
    });
    log.warn("gather.connector_failed", { reference: r.reference, connectorId: job.connectorId, error: message });
  } finally {
    lease.stop();
    await discardBlobs({ keys: stale });
  }
  return true;
}

/** The four answers a search can give for one system (issue 13, item 2), while it is not still running. */
export type SearchOutcome = "found" | "nothing" | "not_searched" | "failed" | "pending";

export function outcomeOf(j: Pick<GatherJob, "status" | "records" | "matches">): SearchOutcome {
  if (j.status === "skipped") return "not_searched";
  if (j.status === "failed") return "failed";
  if (j.status !== "done") return "pending";
  return (j.records ?? 0) > 0 || (j.matches ?? 0) > 0 ? "found" : "nothing";
}

export type GatherRow = {
  connectorId: string;
  label: string;
  status: GatherJob["status"];
  outcome: SearchOutcome;
  attempts: number;
  durationMs: number | null;
  matches: number | null;
  records: number | null;
  files: number | null;
  anomalies: number | null;
  error: string | null;
  finishedAt: Date | null;
  /** kinds and origins searched with */
  identifiers: { kind: string; origin: string }[];
  /** not searched: the kinds it would need */
  missing: string[];
  waiver: { reason: string; at: Date; by: number | null } | null;
};

/** The latest job of each connector for a request, whatever its status: where each system's search stands. */
export async function latestJobs(db: DbOrTx, requestId: number): Promise<GatherJob[]> {
  const latest = new Map<string, GatherJob>();
  for (const j of (await db.select().from(gatherJobs).where(eq(gatherJobs.requestId, requestId)).orderBy(asc(gatherJobs.id)))) latest.set(j.connectorId, j);
  return [...latest.values()];
}

/** The latest job per connector, for the ticket page. */
export async function gatherStatus(db: DbOrTx, requestId: number, registry: Registry): Promise<GatherRow[]> {
  return (await latestJobs(db, requestId)).map((j) => ({
    connectorId: j.connectorId,
    label: registry.get(j.connectorId)?.label ?? j.connectorId,
    status: j.status,
    attempts: j.attempts,
    durationMs: j.durationMs,
    matches: j.matches,
    records: j.records,
    files: j.files,
    anomalies: j.anomalies,
    error: j.error,
    finishedAt: j.finishedAt,
    outcome: outcomeOf(j),
    identifiers: j.identifiers ?? [],
    missing: j.missing ?? [],
    waiver: j.waiverReason && j.waivedAt ? { reason: j.waiverReason, at: j.waivedAt, by: j.waivedBy } : null,
  }));
}

/**
 * Whether an answer may be given now: every system searched (found or found
 * nothing), or, where one was not searched or failed, a DPO recorded why the
 * answer goes out all the same (the letter then says so). Throws a conflict
 * naming the systems otherwise.
 */
export async function requireAnswerable(db: DbOrTx, requestId: number): Promise<GatherJob[]> {
  const latest = await latestJobs(db, requestId);
  if (latest.length === 0) throw new DomainError("conflict", { reason: "not_gathered" });
  const running = latest.filter((j) => j.status === "queued" || j.status === "running").map((j) => j.connectorId);
  if (running.length) throw new DomainError("conflict", { reason: "gather_incomplete", connectors: running });
  const open = latest.filter((j) => (j.status === "failed" || j.status === "skipped") && !j.waivedAt).map((j) => j.connectorId);
  if (open.length) throw new DomainError("conflict", { reason: "gather_not_complete", connectors: open });
  return latest;
}

/** When a job's search ended; its queueing time for a job that never recorded an end. */
export const gatheredAt = (j: Pick<GatherJob, "finishedAt" | "queuedAt">): Date => j.finishedAt ?? j.queuedAt;

/**
 * When each connector's data was gathered. An answer built while a source is
 * still running, or was not searched or failed without the DPO recording why
 * the answer goes out all the same, would look complete and not be: refused.
 */
export async function gatherTimes(db: DbOrTx, requestId: number): Promise<Map<string, string>> {
  return new Map((await requireAnswerable(db, requestId)).map((j) => [j.connectorId, gatheredAt(j).toISOString()]));
}

/**
 * The DPO records why the answer may go out although a system was not
 * searched (no identifier it can use) or failed: the reason is kept on the
 * job, audited, and quoted in the letter to the person.
 */
export async function waiveConnector({ ctx, reference, connectorId, reason }: { ctx: Ctx; reference: string; connectorId: string; reason: string }) {
  const why = reason.trim();
  if (why.length < 10 || why.length > 1000) throw new DomainError("invalid_input", { field: "reason", code: "waiver_reason_required" });
  const me = requireRole(ctx.actor, "dpo");
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    const job = await first(tx.select().from(gatherJobs).where(and(eq(gatherJobs.requestId, r.id), eq(gatherJobs.connectorId, connectorId))).orderBy(desc(gatherJobs.id)));
    if (!job || (job.status !== "failed" && job.status !== "skipped")) throw new DomainError("illegal_transition", { code: "nothing_to_waive" });
    await tx.update(gatherJobs).set({ waivedBy: me.id, waivedAt: ctx.now, waiverReason: why }).where(eq(gatherJobs.id, job.id));
    await addEvent(tx, r.id, ctx, "gather_connector_waived", { connectorId });
    await audit.append(tx, { actor: me, action: "gather.waived", reference, details: { connectorId, outcome: outcomeOf(job) }, at: ctx.now });
  });
}

/**
 * Searches these systems again for a request (after a change, or with an
 * identifier just confirmed): one job each unless one is already waiting or
 * running; on the timeline and in the audit trail, with why.
 */
export async function queueSearch(tx: DbOrTx, ctx: Ctx, r: { id: number; reference: string }, connectorIds: string[], after: string): Promise<string[]> {
  const queued = await filterInOrder(new Set(connectorIds), async (id) => await enqueue(tx, r.id, id, ctx.now, { afterRunning: true }));
  if (queued.length) {
    await addEvent(tx, r.id, ctx, "gather_started", { connectors: queued, after });
    await audit.append(tx, { actor: ctx.actor, action: "gather.started", reference: r.reference, details: { connectors: queued, after }, at: ctx.now });
  }
  return queued;
}

/**
 * After RightsDesk changed what a system holds (a rectification applied, a
 * restriction marked or lifted), that system is searched again, so every
 * later view and archive shows what it holds now; an archive already
 * released carries the old values, so it is withdrawn (the person's status
 * page says why, and a new one follows). Returns the archive files to delete
 * once the caller's transaction has committed.
 */
export async function refreshAfterChange(tx: DbOrTx, ctx: Ctx, r: { id: number; reference: string }, connectorIds: string[], why: "rectification" | "restriction"): Promise<string[]> {
  await queueSearch(tx, ctx, r, connectorIds, why);
  const stale = await tx.select().from(archives).where(and(eq(archives.requestId, r.id), eq(archives.status, "ready")));
  for (const a of stale) {
    await tx.update(archives).set({ status: "purged", filePath: null, purgedAt: ctx.now, purgeReason: "data_changed" }).where(and(eq(archives.id, a.id), eq(archives.status, "ready")));
    await addEvent(tx, r.id, ctx, "archive_withdrawn", { kind: a.kind, after: why });
    await audit.append(tx, { actor: ctx.actor, action: "archive.withdrawn", reference: r.reference, details: { archiveId: a.id, kind: a.kind, after: why }, at: ctx.now });
  }
  return stale.map((a) => a.filePath).filter((p): p is string => !!p);
}
