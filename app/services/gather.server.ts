import { and, asc, eq, inArray, isNull, lt, ne, or } from "drizzle-orm";
import { gatherJobs, type GatherJob } from "../../db/schema/gather";
import { requests, type RequestRow } from "../../db/schema/requests";
import type { Registry } from "../connectors/registry";
import type { VerifiedIdentity } from "../connectors/types";
import type { Db, DbOrTx } from "../utils/db.server";
import { log, scrub } from "../utils/log.server";
import * as audit from "./audit.server";
import { requireRole, requireStaff, requireTicketAccess } from "./authz";
import type { Ctx } from "./context";
import { DomainError } from "./errors";
import { createGatherSink, purgeJob } from "./gather-store.server";
import { addEvent } from "./requests.server";

/** Statuses in which a ticket's identity is verified and its data may be searched. */
const GATHERABLE = ["received", "in_progress", "awaiting_requester", "ready"] as const;
const LEASE_MS = 5 * 60_000;
const FIND_TIMEOUT_MS = 60_000;

/**
 * Only identifiers proven on the ticket are used (DESIGN.md): the email when
 * verified by link or email code, the phone when verified by SMS code, both
 * when an agent attested identity in person.
 */
export function verifiedIdentity(r: Pick<RequestRow, "email" | "phone" | "verificationMethod" | "verifiedAt">): VerifiedIdentity {
  if (!r.verifiedAt) return {};
  const id: VerifiedIdentity = {};
  if (r.email && (r.verificationMethod === "email" || r.verificationMethod === "agent")) id.email = r.email.trim().toLowerCase();
  if (r.phone && (r.verificationMethod === "sms" || r.verificationMethod === "agent")) id.phone = r.phone;
  return id;
}

/** Staff need a role and site access; the operator CLI runs as the system, trusted with the shell. */
function loadTicket(tx: DbOrTx, ctx: Ctx, reference: string) {
  const me = ctx.actor.kind === "system" ? ctx.actor : requireStaff(ctx.actor);
  const r = tx.select().from(requests).where(eq(requests.reference, reference)).get();
  if (!r) throw new DomainError("not_found");
  if (me.kind === "staff") {
    requireTicketAccess(me, r);
    requireRole(me, "dpo", "support");
  }
  if (!(GATHERABLE as readonly string[]).includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "gather" });
  return { me, r };
}

function enqueue(tx: DbOrTx, requestId: number, connectorId: string, now: Date) {
  const active = tx
    .select({ id: gatherJobs.id })
    .from(gatherJobs)
    .where(and(eq(gatherJobs.requestId, requestId), eq(gatherJobs.connectorId, connectorId), inArray(gatherJobs.status, ["queued", "running"])))
    .get();
  if (active) return false;
  tx.insert(gatherJobs).values({ requestId, connectorId, status: "queued", queuedAt: now }).run();
  return true;
}

/** One job per configured connector; the worker loop runs them. */
export function startGather({ ctx, reference, registry }: { ctx: Ctx; reference: string; registry: Registry }) {
  return ctx.db.transaction((tx) => {
    const { me, r } = loadTicket(tx, ctx, reference);
    const connectorIds = registry.list().map((c) => c.id);
    if (connectorIds.length === 0) throw new DomainError("invalid_input", { code: "no_connectors" });
    const queued = connectorIds.filter((id) => enqueue(tx, r.id, id, ctx.now));
    addEvent(tx, r.id, ctx, "gather_started", { connectors: queued });
    audit.append(tx, { actor: me, action: "gather.started", reference: r.reference, details: { connectors: queued }, at: ctx.now });
    return queued;
  });
}

/** Runs one connector again (after a failure, or to refresh). */
export function rerunConnector({ ctx, reference, connectorId, registry }: { ctx: Ctx; reference: string; connectorId: string; registry: Registry }) {
  return ctx.db.transaction((tx) => {
    const { me, r } = loadTicket(tx, ctx, reference);
    if (!registry.get(connectorId)) throw new DomainError("invalid_input", { field: "connectorId" });
    const queued = enqueue(tx, r.id, connectorId, ctx.now);
    audit.append(tx, { actor: me, action: "gather.connector_rerun", reference: r.reference, details: { connectorId }, at: ctx.now });
    return queued;
  });
}

/** Takes the next due job: queued, or running with an expired lease (its process died). */
function claim(db: Db, now: Date): GatherJob | undefined {
  return db.transaction((tx) => {
    const next = tx
      .select()
      .from(gatherJobs)
      .where(or(eq(gatherJobs.status, "queued"), and(eq(gatherJobs.status, "running"), or(isNull(gatherJobs.leaseUntil), lt(gatherJobs.leaseUntil, now)))))
      .orderBy(asc(gatherJobs.queuedAt), asc(gatherJobs.id))
      .limit(1)
      .get();
    if (!next) return undefined;
    return tx
      .update(gatherJobs)
      .set({ status: "running", attempts: next.attempts + 1, leaseUntil: new Date(now.getTime() + LEASE_MS), startedAt: now, error: null })
      .where(eq(gatherJobs.id, next.id))
      .returning()
      .get();
  });
}

/**
 * One pass of the gather worker: find, then export into the encrypted store.
 * A failure is recorded on the job (scrubbed message) and never touches the
 * other connectors' jobs. Returns false when there was nothing to do.
 */
export async function runNextJob({ db, registry, now = () => new Date() }: { db: Db; registry: Registry; now?: () => Date }): Promise<boolean> {
  const job = claim(db, now());
  if (!job) return false;
  const started = Date.now();
  const r = db.select().from(requests).where(eq(requests.id, job.requestId)).get()!;
  const connector = registry.get(job.connectorId);
  purgeJob(db, job.id); // a previous, interrupted attempt starts over clean
  try {
    if (!connector) throw new Error(`connector "${job.connectorId}" is no longer configured`);
    const identity = verifiedIdentity(r);
    if (!identity.email && !identity.phone && !identity.nameAndPostcode) throw new Error("no verified identifier on this request");
    const matches = await connector.find(identity, AbortSignal.timeout(FIND_TIMEOUT_MS));
    const sink = createGatherSink(db, job, now);
    sink.matches(matches);
    const summary = matches.length ? await connector.export(matches, sink) : { records: 0, files: 0, anomalies: 0 };
    db.transaction((tx) => {
      tx.update(gatherJobs)
        .set({ status: "done", finishedAt: now(), durationMs: Date.now() - started, leaseUntil: null, matches: matches.length, records: summary.records, files: summary.files, anomalies: summary.anomalies })
        .where(eq(gatherJobs.id, job.id))
        .run();
      addEvent(tx, r.id, { db, now: now(), actor: { kind: "system" } }, "gather_connector_done", { connectorId: job.connectorId, records: summary.records });
      audit.append(tx, { actor: { kind: "system" }, action: "gather.completed", reference: r.reference, details: { connectorId: job.connectorId, matches: matches.length, records: summary.records, files: summary.files }, at: now() });
      // A re-run replaces what this connector found before (a failed one keeps it): one copy of each record.
      const earlier = tx.select({ id: gatherJobs.id }).from(gatherJobs).where(and(eq(gatherJobs.requestId, r.id), eq(gatherJobs.connectorId, job.connectorId), ne(gatherJobs.id, job.id))).all();
      for (const { id } of earlier) purgeJob(tx, id);
    });
  } catch (error) {
    purgeJob(db, job.id);
    const message = scrub(error instanceof Error ? error.message : String(error));
    db.transaction((tx) => {
      tx.update(gatherJobs).set({ status: "failed", finishedAt: now(), durationMs: Date.now() - started, leaseUntil: null, error: message }).where(eq(gatherJobs.id, job.id)).run();
      audit.append(tx, { actor: { kind: "system" }, action: "gather.failed", reference: r.reference, details: { connectorId: job.connectorId }, at: now() });
    });
    log.warn("gather.connector_failed", { reference: r.reference, connectorId: job.connectorId, error: message });
  }
  return true;
}

export type GatherRow = { connectorId: string; label: string; status: GatherJob["status"]; attempts: number; durationMs: number | null; matches: number | null; records: number | null; files: number | null; anomalies: number | null; error: string | null; finishedAt: Date | null };

/** The latest job per connector, for the ticket page. */
export function gatherStatus(db: DbOrTx, requestId: number, registry: Registry): GatherRow[] {
  const jobs = db.select().from(gatherJobs).where(eq(gatherJobs.requestId, requestId)).orderBy(asc(gatherJobs.id)).all();
  const latest = new Map<string, GatherJob>();
  for (const j of jobs) latest.set(j.connectorId, j);
  return [...latest.values()].map((j) => ({
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
  }));
}
