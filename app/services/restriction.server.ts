import { and, asc, desc, eq, inArray, isNull, lt, lte, or } from "drizzle-orm";
import { holdFor, released } from "./referrals.server";
import { requests, type RequestRow } from "../../db/schema/requests";
import { restrictionLifts, restrictions, type LiftStatus, type RestrictionLiftRow } from "../../db/schema/rights";
import {
  recipientRestrictionLiftedNotice,
  restrictionApplied,
  restrictionLiftDone,
  restrictionLiftNotice,
  restrictionLiftStopped,
  smsRestrictionLiftDone,
  smsRestrictionLiftNotice,
  smsRestrictionLiftStopped,
} from "../../emails/restriction";
import { formatInstant } from "../i18n";
import { env } from "../utils/env.server";
import { organisation } from "../utils/organisation.server";
import { keepLease, LeaseLost, requireOwned } from "./leases.server";
import type { Registry } from "../connectors/registry";
import type { Match } from "../connectors/types";
import type { Db, DbOrTx, Tx } from "../utils/db.server";
import { log, scrub } from "../utils/log.server";
import * as emails from "../../emails";
import * as audit from "./audit.server";
import { notifyRecipients, notifyThoseTold, recordLine } from "./recipients.server";
import { businessSender } from "../utils/organisation.server";
import { requireRole, requireStaff } from "./authz";
import type { Actor, Ctx } from "./context";
import { DomainError } from "./errors";
import { loadTicket } from "./ticket-access.server";
import { readGathered } from "./gather-store.server";
import { discardBlobs } from "../utils/blob-store.server";
import { reach } from "./contacts.server";
import { latestJobs, refreshAfterChange } from "./gather.server";
import { notifyRequester, unreachable } from "./letters.server";
import { addEvent } from "./requests.server";
import { OPEN_STATUSES } from "./tickets.server";
import { brand } from "../../emails/layout";
import { staffNames } from "./staff.server";
import { withTx, first, changes, skipLocked } from "../utils/db.server";

/**
 * Art. 18: the person's records are marked as restricted where they are, in
 * each connector that can mark them (sql-survey: a flag column or the
 * rightsdesk_restrictions side table; recordings: the index's flag). One row
 * per connector in `restrictions` says where it applies; a connector that
 * cannot mark records gets a row saying so, for the DPO to handle by hand.
 *
 * Connector calls run outside any transaction (better-sqlite3 transactions
 * are synchronous); the outcome is recorded afterwards, connector by
 * connector, so one system being down never loses the others' result.
 */

/** Stored as the row's error where a connector has no restrict(). */
export const NOT_SUPPORTED = "not supported by this system";
/** Prefix of the error of a row still in force because lifting failed. */
export const LIFT_FAILED = "lift failed: ";
const CALL_TIMEOUT_MS = 60_000;

export type RestrictionState = "applied" | "failed" | "not_supported" | "by_hand" | "lift_failed" | "lifted";

/** not_supported: to be restricted by hand, not confirmed yet; by_hand: staff confirmed they did. */
export function stateOf(row: { error: string | null; liftedAt: Date | null; handConfirmedAt?: Date | null }): RestrictionState {
  if (row.liftedAt) return "lifted";
  if (row.error === NOT_SUPPORTED) return row.handConfirmedAt ? "by_hand" : "not_supported";
  if (row.error?.startsWith(LIFT_FAILED)) return "lift_failed";
  if (row.error) return "failed";
  return "applied";
}

/** The latest row per connector: the restriction as it stands there now (older rows are history). */
async function currentRows(tx: DbOrTx, requestId: number) {
  const rows = await tx.select().from(restrictions).where(eq(restrictions.requestId, requestId)).orderBy(asc(restrictions.id));
  const latest = new Map<string, (typeof rows)[number]>();
  for (const row of rows) latest.set(row.connectorId, row);
  return latest;
}

/** Matches per connector from the latest finished gather; refuses a gather that is missing or unfinished. */
async function gatheredMatches(tx: DbOrTx, requestId: number): Promise<Map<string, Match[]>> {
  const latest = await latestJobs(tx, requestId);
  if (latest.length === 0) throw new DomainError("conflict", { reason: "not_gathered" });
  // Restricting while a source failed or is still searching would leave records out without anyone noticing.
  const unfinished = latest.filter((j) => j.status !== "done").map((j) => j.connectorId);
  if (unfinished.length) throw new DomainError("conflict", { reason: "gather_unfinished", connectors: unfinished });
  return await matchesByConnector(tx, requestId);
}

async function matchesByConnector(tx: DbOrTx, requestId: number): Promise<Map<string, Match[]>> {
  const out = new Map<string, Map<string, Match>>();
  // One pointer per record, should a connector's search have matched it twice.
  for (const m of (await readGathered(tx, requestId)).matches) {
    const own = out.get(m.connectorId) ?? new Map<string, Match>();
    own.set(`${m.dataset}\u0000${m.key}`, m);
    out.set(m.connectorId, own);
  }
  return new Map([...out].map(([id, ms]) => [id, [...ms.values()]]));
}

function withTimeout(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CALL_TIMEOUT_MS / 1000} s`)), CALL_TIMEOUT_MS);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

type Outcome = { connectorId: string; records: number; error: string | null };

async function callRestrict(registry: Registry, connectorId: string, matches: Match[], on: boolean, reference: string): Promise<Outcome> {
  const connector = registry.get(connectorId);
  if (!connector) return { connectorId, records: matches.length, error: "this connector is no longer configured" };
  if (!connector.restrict) return { connectorId, records: matches.length, error: NOT_SUPPORTED };
  try {
    await withTimeout(connector.restrict(matches, on));
    return { connectorId, records: matches.length, error: null };
  } catch (error) {
    const message = scrub(error instanceof Error ? error.message : String(error));
    log.warn(on ? "restriction.connector_failed" : "restriction.lift_failed", { reference, connectorId, error: message });
    return { connectorId, records: matches.length, error: message };
  }
}

/**
 * Marks the person's records as restricted in every connector that holds
 * some, or — `connectorId` given — retries one connector whose attempt failed.
 * DPO or support; the ticket must ask for restriction and have a finished gather.
 */
export async function applyRestriction({ ctx, reference, registry, connectorId }: { ctx: Ctx; reference: string; registry: Registry; connectorId?: string }) {
  const me = requireStaff(ctx.actor);
  const plan = await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    requireRole(me, "dpo", "support");
    if (!r.rights.includes("restriction")) throw new DomainError("illegal_transition", { code: "restriction_not_requested" });
    if (!OPEN_STATUSES.includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "restriction" });
    // Data held for a client (as its processor) is restricted only on that client's instruction (Art. 28(3)(a), 29).
    const hold = await holdFor(tx, r.id, "restrict", (id) => registry.get(id)?.kind);
    const matches = new Map([...(await gatheredMatches(tx, r.id))].map(([id, ms]) => [id, released(ms, hold)]));
    const current = await currentRows(tx, r.id);
    // In force already (applied, or lifting failed) or not supported: nothing to do there; absent, failed or lifted: (re)apply.
    const due = [...matches].filter(([id, ms]) => {
      if (ms.length === 0) return false;
      const row = current.get(id);
      return !row || ["failed", "lifted"].includes(stateOf(row));
    });
    const targets = connectorId ? due.filter(([id]) => id === connectorId) : due;
    if (targets.length === 0 && !connectorId && hold.parts.some((p) => p.state === "awaiting")) throw new DomainError("conflict", { code: "awaiting_controller" });
    if (targets.length === 0) throw new DomainError("illegal_transition", { code: connectorId ? "nothing_to_retry" : "nothing_to_restrict" });
    // The person is told where their data is restricted: only at a contact proven for this request.
    if (!(await reach(tx, r, { disclosure: true }))) throw unreachable(true);
    return { r, targets };
  });

  const outcomes = await Promise.all(plan.targets.map(([id, ms]) => callRestrict(registry, id, ms, true, plan.r.reference)));

  const done = await withTx(ctx, async (tx) => {
    const current = await currentRows(tx, plan.r.id);
    for (const o of outcomes) {
      const row = current.get(o.connectorId);
      const values = { records: o.records, appliedBy: me.id, appliedAt: ctx.now, error: o.error };
      // A failed attempt's row is the one retried; a lifted restriction stays in the history and a new one starts.
      if (row && !row.liftedAt) await tx.update(restrictions).set(values).where(eq(restrictions.id, row.id));
      else await tx.insert(restrictions).values({ requestId: plan.r.id, connectorId: o.connectorId, ...values });
    }
    const details = {
      applied: outcomes.filter((o) => !o.error).map((o) => o.connectorId),
      notSupported: outcomes.filter((o) => o.error === NOT_SUPPORTED).map((o) => o.connectorId),
      failed: outcomes.filter((o) => o.error && o.error !== NOT_SUPPORTED).map((o) => o.connectorId),
      records: outcomes.filter((o) => !o.error).reduce((n, o) => n + o.records, 0),
    };
    await addEvent(tx, plan.r.id, ctx, "restriction_applied", details);
    await audit.append(tx, { actor: me, action: "restriction.applied", reference: plan.r.reference, details, at: ctx.now });
    // Art. 19: the recipients of the data now restricted are told (not its values).
    const applied = new Set(details.applied);
    const sender = businessSender();
    await notifyRecipients(tx, {
      requestId: plan.r.id,
      reference: plan.r.reference,
      kind: "restriction",
      records: plan.targets.filter(([id]) => applied.has(id)).flatMap(([id, ms]) => ms.map((m) => ({ connectorId: id, dataset: m.dataset, key: m.key }))),
      registry,
      actor: me,
      at: ctx.now,
      render: (g) => emails.recipientRestrictionNotice({ reference: plan.r.reference, recipient: g.client.name, records: g.records.map(recordLine), sender }),
    });
    const label = (id: string) => registry.get(id)?.label ?? id;
    await notifyRequester(tx, ctx, plan.r, {
      kind: "restriction",
      template: "restriction_applied",
      message: restrictionApplied({ reference: plan.r.reference, applied: details.applied.map(label), byHand: details.notSupported.map(label), failed: details.failed.map(label) }, plan.r.locale),
      sms: (l) => (plan.r.locale === "en" ? `${brand()}: processing of your data restricted (request ${plan.r.reference}). Where: ${l}` : `${brand()} : traitement de vos données limité (demande ${plan.r.reference}). Où : ${l}`),
      disclosure: true,
    });
    // The marks changed what those systems hold: search them again, withdraw an archive built before.
    return { details, withdrawn: await refreshAfterChange(tx, ctx, plan.r, details.applied, "restriction") };
  });
  await discardBlobs({ keys: done.withdrawn });
  return done.details;
}

/** The request's latest lift, if any: the one that counts (earlier ones are history). */
async function latestLift(tx: DbOrTx, requestId: number): Promise<RestrictionLiftRow | undefined> {
  return await first(tx.select().from(restrictionLifts).where(eq(restrictionLifts.requestId, requestId)).orderBy(desc(restrictionLifts.id)));
}

/** A lift under way: announced and not stopped, or run with systems still to finish. */
const ACTIVE_LIFT: LiftStatus[] = ["scheduled", "running", "failed"];

const isHand = (row: { error: string | null }) => row.error === NOT_SUPPORTED;
const noticeMs = () => env().RESTRICTION_LIFT_NOTICE_DAYS * 86_400_000;
const leaseMs = () => env().JOB_LEASE_SECONDS * 1000;

/**
 * Art. 18(3): lifting is announced, then done. The DPO schedules it: the
 * person is told now (email, SMS with a link to the letter, or a letter to
 * post — whichever reaches them), with the date before which nothing is
 * lifted (RESTRICTION_LIFT_NOTICE_DAYS). The workers lift it after that date
 * unless staff stopped it meanwhile. Refused when nothing can reach the
 * person: a lift they would never hear of is what Art. 18(3) forbids.
 */
export async function scheduleLift({ ctx, reference }: { ctx: Ctx; reference: string }) {
  const me = requireStaff(ctx.actor);
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    requireRole(me, "dpo");
    if (!r.rights.includes("restriction")) throw new DomainError("illegal_transition", { code: "restriction_not_requested" });
    const inForce = [...(await currentRows(tx, r.id)).values()].filter((row) => !row.liftedAt);
    if (inForce.length === 0) throw new DomainError("illegal_transition", { code: "not_restricted" });
    const lift = await latestLift(tx, r.id);
    if (lift && ACTIVE_LIFT.includes(lift.status)) throw new DomainError("illegal_transition", { code: "lift_already_scheduled" });
    const dueAt = new Date(ctx.now.getTime() + noticeMs());
    const days = env().RESTRICTION_LIFT_NOTICE_DAYS;
    const liftFrom = formatInstant(dueAt, r.locale);
    const contact = organisation().dpo.email;
    const sent = await notifyRequester(tx, ctx, r, {
      kind: "restriction_lift_notice",
      template: "restriction_lift_notice",
      message: restrictionLiftNotice({ reference: r.reference, liftFrom, days, contact }, r.locale),
      sms: (link) => smsRestrictionLiftNotice({ reference: r.reference, liftFrom, contact, link }, r.locale),
      disclosure: false,
    });
    const row = (await first(tx.insert(restrictionLifts).values({ requestId: r.id, status: "scheduled", scheduledBy: me.id, scheduledAt: ctx.now, dueAt }).returning()))!;
    const details = { lift: row.id, dueAt: dueAt.toISOString(), noticeDays: days, delivery: sent.delivery };
    await addEvent(tx, r.id, ctx, "restriction_lift_notice", details);
    await audit.append(tx, { actor: me, action: "restriction.lift_scheduled", reference: r.reference, details, at: ctx.now });
    return { dueAt, delivery: sent.delivery };
  });
}

/**
 * Stops a lift during its notice period: the person objected (recorded as
 * such), or staff decided otherwise. The restriction stays in force and the
 * person is told. DPO or support; refused once the lift has run.
 */
export async function stopLift({ ctx, reference, reason }: { ctx: Ctx; reference: string; reason: "objected" | "other" }) {
  const me = requireStaff(ctx.actor);
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    requireRole(me, "dpo", "support");
    return await stopScheduled(tx, ctx, r, reason, me.id);
  });
}

/**
 * Art. 18(3): the person, told of the coming lift, contests it from their
 * status page during the notice period. The lift stops, the restriction stays
 * in force, and the ticket shows that the requester objected; staff may
 * announce a new lift once they have looked at why (a new notice period).
 */
export async function contestLift({ ctx, requestId }: { ctx: Ctx; requestId: number }) {
  if (ctx.actor.kind !== "requester") throw new DomainError("forbidden", {});
  return await withTx(ctx, async (tx) => {
    const r = await first(tx.select().from(requests).where(eq(requests.id, requestId)));
    if (!r) throw new DomainError("not_found", { what: "request" });
    return await stopScheduled(tx, ctx, r, "objected", null);
  });
}

/** Stops the scheduled lift (compare-and-set against a worker claiming it), records why, tells the person. */
async function stopScheduled(tx: Tx, ctx: Ctx, r: RequestRow, reason: "objected" | "other", stoppedBy: number | null) {
  const lift = await latestLift(tx, r.id);
  if (!lift || lift.status !== "scheduled") throw new DomainError("illegal_transition", { code: "no_lift_to_stop" });
  // Compare-and-set: a worker that claimed it in the meantime wins, and this is refused.
  const changed = await tx
    .update(restrictionLifts)
    .set({ status: "stopped", stoppedBy, stoppedAt: ctx.now, stopReason: reason })
    .where(and(eq(restrictionLifts.id, lift.id), eq(restrictionLifts.status, "scheduled"), eq(restrictionLifts.attempts, lift.attempts)));
  if (changed.changes !== 1) throw new DomainError("illegal_transition", { code: "no_lift_to_stop" });
  const details = { lift: lift.id, reason, byRequester: stoppedBy === null };
  await addEvent(tx, r.id, ctx, "restriction_lift_stopped", details);
  await audit.append(tx, { actor: ctx.actor, action: "restriction.lift_stopped", reference: r.reference, details, at: ctx.now });
  if ((await reach(tx, r, { disclosure: false }))) {
    await notifyRequester(tx, ctx, r, {
      kind: "restriction_lift_stopped",
      template: "restriction_lift_stopped",
      message: restrictionLiftStopped({ reference: r.reference, objected: reason === "objected" }, r.locale),
      sms: () => smsRestrictionLiftStopped({ reference: r.reference }, r.locale),
      disclosure: false,
    });
  }
  return details;
}

/** A lift whose systems failed goes back to the workers at once (the notice was given already). DPO only. */
export async function retryLift({ ctx, reference }: { ctx: Ctx; reference: string }) {
  const me = requireStaff(ctx.actor);
  await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    requireRole(me, "dpo");
    const lift = await latestLift(tx, r.id);
    if (!lift || lift.status !== "failed") throw new DomainError("illegal_transition", { code: "nothing_to_retry" });
    await tx.update(restrictionLifts).set({ status: "scheduled", dueAt: ctx.now, leaseUntil: null }).where(and(eq(restrictionLifts.id, lift.id), eq(restrictionLifts.status, "failed")));
    await audit.append(tx, { actor: me, action: "restriction.lift_retried", reference: r.reference, details: { lift: lift.id }, at: ctx.now });
  });
}

/**
 * The workers' part: lifts whose notice period has ended (or whose runner
 * died: lease expired), each claimed by compare-and-set so that two
 * processes never lift one twice. Returns how many it ran.
 */
export async function runDueLifts({ db, registry, now = () => new Date(), limit = 5 }: { db: Db; registry: Registry; now?: () => Date; limit?: number }): Promise<number> {
  let ran = 0;
  for (; ran < limit; ran++) {
    const t = now();
    const claimed = await withTx(db, async (tx) => {
      const free = or(isNull(restrictionLifts.leaseUntil), lt(restrictionLifts.leaseUntil, t));
      const candidates = await skipLocked(tx, tx
        .select()
        .from(restrictionLifts)
        .where(and(inArray(restrictionLifts.status, ["scheduled", "running"]), lte(restrictionLifts.dueAt, t), free))
        .orderBy(asc(restrictionLifts.dueAt))
        .limit(5));
      for (const row of candidates) {
        const won = (await first(tx
          .update(restrictionLifts)
          .set({ status: "running", leaseUntil: new Date(t.getTime() + leaseMs()), attempts: row.attempts + 1 })
          .where(and(eq(restrictionLifts.id, row.id), eq(restrictionLifts.status, row.status), eq(restrictionLifts.attempts, row.attempts), free))
          .returning()))!;
        if (won) return won;
      }
      return undefined;
    });
    if (!claimed) break;
    try {
      await executeLift(db, registry, claimed, now);
    } catch (error) {
      if (!(error instanceof LeaseLost)) throw error;
    }
  }
  return ran;
}

const system: Actor = { kind: "system" };

/** Unmarks the records in every system RightsDesk marked; hand restrictions wait for a staff confirmation. */
async function executeLift(db: Db, registry: Registry, lift: RestrictionLiftRow, now: () => Date) {
  const mine = and(eq(restrictionLifts.id, lift.id), eq(restrictionLifts.attempts, lift.attempts), eq(restrictionLifts.status, "running"));
  const lease = keepLease(async () => (changes(await db.update(restrictionLifts).set({ leaseUntil: new Date(now().getTime() + leaseMs()) }).where(mine))) === 1, leaseMs() / 3);
  try {
    const plan = await withTx(db, async (tx) => {
      const r = (await first(tx.select().from(requests).where(eq(requests.id, lift.requestId))))!;
      const inForce = [...(await currentRows(tx, r.id)).values()].filter((row) => !row.liftedAt && !isHand(row));
      return { r, inForce, matches: await matchesByConnector(tx, r.id) };
    });
    const outcomes = await Promise.all(
      plan.inForce.map(async (row): Promise<Outcome> => {
        // Never marked there (the apply failed and the system cannot mark): nothing to undo.
        if (stateOf(row) === "failed" && !registry.get(row.connectorId)?.restrict) return { connectorId: row.connectorId, records: row.records, error: null };
        const matches = plan.matches.get(row.connectorId) ?? [];
        if (matches.length === 0) return { connectorId: row.connectorId, records: row.records, error: "the gathered record pointers are no longer stored" };
        return callRestrict(registry, row.connectorId, matches, false, plan.r.reference);
      }),
    );
    lease.check("restriction lift");
    const t = now();
    const ctx: Ctx = { db, now: t, actor: system };
    const withdrawn = await withTx(db, async (tx) => {
      const failed = outcomes.filter((o) => o.error);
      requireOwned(await tx.update(restrictionLifts).set({ status: failed.length ? "failed" : "done", ranAt: t, leaseUntil: null }).where(mine), "restriction lift");
      for (const o of outcomes) {
        const row = plan.inForce.find((x) => x.connectorId === o.connectorId)!;
        if (o.error) await tx.update(restrictions).set({ error: `${LIFT_FAILED}${o.error}`.slice(0, 500) }).where(eq(restrictions.id, row.id));
        else await tx.update(restrictions).set({ liftedAt: t, liftedBy: null, error: null }).where(eq(restrictions.id, row.id));
      }
      const handPending = [...(await currentRows(tx, plan.r.id)).values()].filter((row) => !row.liftedAt && isHand(row)).map((row) => row.connectorId);
      const details = { lift: lift.id, lifted: outcomes.filter((o) => !o.error).map((o) => o.connectorId), failed: failed.map((o) => o.connectorId), handPending };
      await addEvent(tx, plan.r.id, ctx, "restriction_lift_ran", details);
      await audit.append(tx, { actor: system, action: "restriction.lifted", reference: plan.r.reference, details, at: t });
      await completeIfLifted(tx, ctx, plan.r, registry);
      // Only while the request is open: a closed one has nothing left to answer with fresh data.
      return OPEN_STATUSES.includes(plan.r.status) ? (await refreshAfterChange(tx, ctx, plan.r, details.lifted, "restriction")) : [];
    });
    await discardBlobs({ keys: withdrawn });
  } finally {
    lease.stop();
  }
}

/**
 * Once nothing is in force any more (RightsDesk's systems unmarked, hand
 * restrictions confirmed lifted), the person is told where it was lifted and
 * how, and so are the Art. 19 recipients told of the restriction. Once per lift.
 */
async function completeIfLifted(tx: Tx, ctx: Ctx, r: RequestRow, registry: Registry) {
  const lift = await latestLift(tx, r.id);
  if (!lift || lift.completedAt || !["done", "failed"].includes(lift.status)) return;
  const rows = [...(await currentRows(tx, r.id)).values()];
  if (rows.some((row) => !row.liftedAt)) return;
  const changed = await tx.update(restrictionLifts).set({ completedAt: ctx.now }).where(and(eq(restrictionLifts.id, lift.id), isNull(restrictionLifts.completedAt)));
  if (changed.changes !== 1) return;
  const label = (id: string) => registry.get(id)?.label ?? id;
  // Only rows lifted by this lift: where a restriction was confirmed by hand it was lifted by hand; never-confirmed ones were not in force.
  const thisLift = rows.filter((row) => row.liftedAt && row.liftedAt >= lift.scheduledAt);
  const lifted = thisLift.filter((row) => !isHand(row)).map((row) => label(row.connectorId));
  const byHand = thisLift.filter(isHand).map((row) => label(row.connectorId));
  if ((await reach(tx, r, { disclosure: false }))) {
    await notifyRequester(tx, ctx, r, {
      kind: "restriction_lifted",
      template: "restriction_lifted",
      message: restrictionLiftDone({ reference: r.reference, lifted, byHand }, r.locale),
      sms: (link) => smsRestrictionLiftDone({ reference: r.reference, link }, r.locale),
      disclosure: false,
    });
  }
  // Art. 19: each company told of the restriction is told it is lifted, about the same records.
  await notifyThoseTold(tx, {
    requestId: r.id,
    reference: r.reference,
    told: "restriction",
    kind: "restriction_lifted",
    actor: ctx.actor,
    at: ctx.now,
    render: (d) => recipientRestrictionLiftedNotice({ reference: r.reference, recipient: d.recipient, records: d.records, sender: businessSender() }),
  });
  const details = { lift: lift.id, lifted: thisLift.filter((row) => !isHand(row)).map((row) => row.connectorId), byHand: thisLift.filter(isHand).map((row) => row.connectorId) };
  await addEvent(tx, r.id, ctx, "restriction_lifted", details);
  await audit.append(tx, { actor: ctx.actor, action: "restriction.lift_completed", reference: r.reference, details, at: ctx.now });
}

/**
 * A system without restrict(): staff confirm they restricted the records
 * there by hand ("applied"), and later that they lifted it by hand
 * ("lifted", only once the announced lift has run). DPO or support. Kept
 * with who and when, and shown as such — never as if RightsDesk had done it.
 */
export async function confirmByHand({ ctx, reference, connectorId, what, registry }: { ctx: Ctx; reference: string; connectorId: string; what: "applied" | "lifted"; registry: Registry }) {
  const me = requireStaff(ctx.actor);
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    requireRole(me, "dpo", "support");
    const row = (await currentRows(tx, r.id)).get(connectorId);
    if (!row || !isHand(row) || row.liftedAt) throw new DomainError("illegal_transition", { code: "nothing_by_hand" });
    if (what === "applied") {
      if (row.handConfirmedAt) throw new DomainError("illegal_transition", { code: "nothing_by_hand" });
      await tx.update(restrictions).set({ handConfirmedBy: me.id, handConfirmedAt: ctx.now }).where(eq(restrictions.id, row.id));
    } else {
      const lift = await latestLift(tx, r.id);
      // The notice period is the person's: nothing is lifted, by hand either, before the workers' lift has run.
      if (!lift || !["done", "failed"].includes(lift.status)) throw new DomainError("illegal_transition", { code: "lift_not_due" });
      await tx.update(restrictions).set({ liftedBy: me.id, liftedAt: ctx.now }).where(eq(restrictions.id, row.id));
    }
    const details = { connectorId, what };
    await addEvent(tx, r.id, ctx, what === "applied" ? "restriction_hand_applied" : "restriction_hand_lifted", details);
    await audit.append(tx, { actor: me, action: what === "applied" ? "restriction.hand_applied" : "restriction.hand_lifted", reference: r.reference, details, at: ctx.now });
    if (what === "lifted") await completeIfLifted(tx, ctx, r, registry);
    return details;
  });
}

export type LiftView = {
  status: LiftStatus;
  scheduledAt: Date;
  scheduledBy: string | null;
  dueAt: Date;
  stoppedAt: Date | null;
  stoppedBy: string | null;
  stopReason: "objected" | "other" | null;
  ranAt: Date | null;
  completedAt: Date | null;
};

/** The latest lift, for the ticket page and the status page. No personal data. */
/** When the announced lift will run, while it can still be contested; null otherwise. */
export async function scheduledLiftDue(db: DbOrTx, requestId: number): Promise<Date | null> {
  const lift = await latestLift(db, requestId);
  return lift?.status === "scheduled" ? lift.dueAt : null;
}

export async function liftView(db: DbOrTx, requestId: number): Promise<LiftView | null> {
  const lift = await latestLift(db, requestId);
  if (!lift) return null;
  const names = await staffNames(db, [lift.scheduledBy, lift.stoppedBy]);
  return {
    status: lift.status,
    scheduledAt: lift.scheduledAt,
    scheduledBy: lift.scheduledBy ? (names.get(lift.scheduledBy) ?? null) : null,
    dueAt: lift.dueAt,
    stoppedAt: lift.stoppedAt,
    stoppedBy: lift.stoppedBy ? (names.get(lift.stoppedBy) ?? null) : null,
    stopReason: lift.stopReason ?? null,
    ranAt: lift.ranAt,
    completedAt: lift.completedAt,
  };
}

export type RestrictionRow = {
  connectorId: string;
  state: RestrictionState;
  records: number;
  appliedAt: Date;
  appliedBy: string | null;
  liftedAt: Date | null;
  /** null with a liftedAt: lifted by RightsDesk's workers, as announced */
  liftedBy: string | null;
  /** a system without restrict(): restricted (and lifted) by hand by staff, not by RightsDesk */
  byHand: boolean;
  handConfirmedAt: Date | null;
  handConfirmedBy: string | null;
  /** scrubbed reason for failed / lift_failed */
  error: string | null;
};

/** Where the restriction applies, per connector, for the ticket page. No personal data. */
export async function restrictionRows(db: DbOrTx, requestId: number): Promise<RestrictionRow[]> {
  const rows = [...(await currentRows(db, requestId)).values()];
  const names = await staffNames(db, rows.flatMap((r) => [r.appliedBy, r.liftedBy, r.handConfirmedBy]));
  const name = (id: number | null) => (id ? (names.get(id) ?? null) : null);
  return rows.map((row) => {
    const state = stateOf(row);
    return {
      connectorId: row.connectorId,
      state,
      records: row.records,
      appliedAt: row.appliedAt,
      appliedBy: name(row.appliedBy),
      liftedAt: row.liftedAt,
      liftedBy: name(row.liftedBy),
      byHand: isHand(row),
      handConfirmedAt: row.handConfirmedAt,
      handConfirmedBy: name(row.handConfirmedBy),
      error: state === "failed" ? row.error : state === "lift_failed" ? row.error!.slice(LIFT_FAILED.length) : null,
    };
  });
}
