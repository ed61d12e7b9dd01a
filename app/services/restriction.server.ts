import { and, asc, eq, gte, inArray } from "drizzle-orm";
import { holdFor, released } from "./referrals.server";
import { letters, requests, type RequestRow } from "../../db/schema/requests";
import { restrictions } from "../../db/schema/rights";
import { staff } from "../../db/schema/staff";
import { restrictionApplied, restrictionLifted, smsRestrictionLifted } from "../../emails/restriction";
import type { Registry } from "../connectors/registry";
import type { Match } from "../connectors/types";
import type { DbOrTx, Tx } from "../utils/db.server";
import { log, scrub } from "../utils/log.server";
import * as emails from "../../emails";
import * as audit from "./audit.server";
import { registerDatasetId } from "./archive.server";
import { notifyRecipients } from "./erasure.server";
import { requireRole, requireStaff, requireTicketAccess } from "./authz";
import type { Ctx, StaffActor } from "./context";
import { DomainError } from "./errors";
import { readGathered } from "./gather-store.server";
import { rmSync } from "node:fs";
import { reach } from "./contacts.server";
import { latestJobs, refreshAfterChange } from "./gather.server";
import { notifyRequester, unreachable } from "./letters.server";
import { addEvent } from "./requests.server";
import { OPEN_STATUSES } from "./tickets.server";

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

export type RestrictionState = "applied" | "failed" | "not_supported" | "lift_failed" | "lifted";

export function stateOf(row: { error: string | null; liftedAt: Date | null }): RestrictionState {
  if (row.liftedAt) return "lifted";
  if (row.error === NOT_SUPPORTED) return "not_supported";
  if (row.error?.startsWith(LIFT_FAILED)) return "lift_failed";
  if (row.error) return "failed";
  return "applied";
}

function loadTicket(tx: DbOrTx, me: StaffActor, reference: string): RequestRow {
  const r = tx.select().from(requests).where(eq(requests.reference, reference)).get();
  if (!r) throw new DomainError("not_found");
  requireTicketAccess(me, r);
  return r;
}

/** The latest row per connector: the restriction as it stands there now (older rows are history). */
function currentRows(tx: DbOrTx, requestId: number) {
  const rows = tx.select().from(restrictions).where(eq(restrictions.requestId, requestId)).orderBy(asc(restrictions.id)).all();
  const latest = new Map<string, (typeof rows)[number]>();
  for (const row of rows) latest.set(row.connectorId, row);
  return latest;
}

/** Matches per connector from the latest finished gather; refuses a gather that is missing or unfinished. */
function gatheredMatches(tx: DbOrTx, requestId: number): Map<string, Match[]> {
  const latest = latestJobs(tx, requestId);
  if (latest.length === 0) throw new DomainError("conflict", { reason: "not_gathered" });
  // Restricting while a source failed or is still searching would leave records out without anyone noticing.
  const unfinished = latest.filter((j) => j.status !== "done").map((j) => j.connectorId);
  if (unfinished.length) throw new DomainError("conflict", { reason: "gather_unfinished", connectors: unfinished });
  return matchesByConnector(tx, requestId);
}

function matchesByConnector(tx: DbOrTx, requestId: number): Map<string, Match[]> {
  const out = new Map<string, Map<string, Match>>();
  // One pointer per record, should a connector's search have matched it twice.
  for (const m of readGathered(tx, requestId).matches) {
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
  const plan = ctx.db.transaction((tx) => {
    const r = loadTicket(tx, me, reference);
    requireRole(me, "dpo", "support");
    if (!r.rights.includes("restriction")) throw new DomainError("illegal_transition", { code: "restriction_not_requested" });
    if (!OPEN_STATUSES.includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "restriction" });
    // Data held for a client (as its processor) is restricted only on that client's instruction (Art. 28(3)(a), 29).
    const hold = holdFor(tx, r.id, "restrict", (id) => registry.get(id)?.kind);
    const matches = new Map([...gatheredMatches(tx, r.id)].map(([id, ms]) => [id, released(ms, hold)]));
    const current = currentRows(tx, r.id);
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
    if (!reach(tx, r, { disclosure: true })) throw unreachable(true);
    return { r, targets };
  });

  const outcomes = await Promise.all(plan.targets.map(([id, ms]) => callRestrict(registry, id, ms, true, plan.r.reference)));

  const done = ctx.db.transaction((tx) => {
    const current = currentRows(tx, plan.r.id);
    for (const o of outcomes) {
      const row = current.get(o.connectorId);
      const values = { records: o.records, appliedBy: me.id, appliedAt: ctx.now, error: o.error };
      // A failed attempt's row is the one retried; a lifted restriction stays in the history and a new one starts.
      if (row && !row.liftedAt) tx.update(restrictions).set(values).where(eq(restrictions.id, row.id)).run();
      else tx.insert(restrictions).values({ requestId: plan.r.id, connectorId: o.connectorId, ...values }).run();
    }
    const details = {
      applied: outcomes.filter((o) => !o.error).map((o) => o.connectorId),
      notSupported: outcomes.filter((o) => o.error === NOT_SUPPORTED).map((o) => o.connectorId),
      failed: outcomes.filter((o) => o.error && o.error !== NOT_SUPPORTED).map((o) => o.connectorId),
      records: outcomes.filter((o) => !o.error).reduce((n, o) => n + o.records, 0),
    };
    addEvent(tx, plan.r.id, ctx, "restriction_applied", details);
    audit.append(tx, { actor: me, action: "restriction.applied", reference: plan.r.reference, details, at: ctx.now });
    // Art. 19: the recipients of the data now restricted are told (not its values).
    const applied = new Set(details.applied);
    notifyRecipients(tx, {
      requestId: plan.r.id,
      reference: plan.r.reference,
      kind: "restriction",
      datasetIds: plan.targets.filter(([id]) => applied.has(id)).flatMap(([id, ms]) => ms.map((m) => registerDatasetId(registry.get(id)?.kind ?? id, m.dataset))),
      registry,
      actor: me,
      at: ctx.now,
      render: (recipient, operations) => emails.recipientRestrictionNotice({ reference: plan.r.reference, recipient, operations }),
    });
    const label = (id: string) => registry.get(id)?.label ?? id;
    notifyRequester(tx, ctx, plan.r, {
      kind: "restriction",
      template: "restriction_applied",
      message: restrictionApplied({ reference: plan.r.reference, applied: details.applied.map(label), byHand: details.notSupported.map(label), failed: details.failed.map(label) }, plan.r.locale),
      sms: (l) => (plan.r.locale === "en" ? `CentreCall: processing of your data restricted (request ${plan.r.reference}). Where: ${l}` : `CentreCall : traitement de vos données limité (demande ${plan.r.reference}). Où : ${l}`),
      disclosure: true,
    });
    // The marks changed what those systems hold: search them again, withdraw an archive built before.
    return { details, withdrawn: refreshAfterChange(tx, ctx, plan.r, details.applied, "restriction") };
  });
  for (const f of done.withdrawn) rmSync(f, { force: true });
  return done.details;
}

/** Art. 18(3): the requester is told before the restriction is lifted, once per restriction. */
function noticeBeforeLifting(tx: Tx, ctx: Ctx, r: RequestRow, since: Date): boolean {
  const already = tx
    .select({ id: letters.id })
    .from(letters)
    .where(and(eq(letters.requestId, r.id), eq(letters.kind, "restriction_lifted"), gte(letters.createdAt, since)))
    .get();
  if (already) return false;
  if (!reach(tx, r, { disclosure: false })) return false;
  notifyRequester(tx, ctx, r, {
    kind: "restriction_lifted",
    template: "restriction_lifted",
    message: restrictionLifted({ reference: r.reference }, r.locale),
    sms: () => smsRestrictionLifted({ reference: r.reference }, r.locale),
    disclosure: false,
  });
  addEvent(tx, r.id, ctx, "restriction_lift_notice");
  return true;
}

/**
 * Lifts the restriction everywhere it is in force. DPO only. The notice to
 * the requester is committed to the outbox first, then each connector is
 * asked to unmark the records; one that fails keeps its row in force with the
 * reason, and lifting again retries it (without a second notice).
 */
export async function liftRestriction({ ctx, reference, registry }: { ctx: Ctx; reference: string; registry: Registry }) {
  const me = requireStaff(ctx.actor);
  const plan = ctx.db.transaction((tx) => {
    const r = loadTicket(tx, me, reference);
    requireRole(me, "dpo");
    if (!r.rights.includes("restriction")) throw new DomainError("illegal_transition", { code: "restriction_not_requested" });
    const inForce = [...currentRows(tx, r.id).values()].filter((row) => !row.liftedAt);
    if (inForce.length === 0) throw new DomainError("illegal_transition", { code: "not_restricted" });
    const since = new Date(Math.min(...inForce.map((row) => row.appliedAt.getTime())));
    const notified = noticeBeforeLifting(tx, ctx, r, since);
    return { r, inForce, notified, matches: matchesByConnector(tx, r.id) };
  });

  const outcomes = await Promise.all(
    plan.inForce.map(async (row): Promise<Outcome> => {
      const state = stateOf(row);
      // Never marked there: nothing to undo.
      if (state === "not_supported" || (state === "failed" && !registry.get(row.connectorId)?.restrict)) return { connectorId: row.connectorId, records: row.records, error: null };
      const matches = plan.matches.get(row.connectorId) ?? [];
      if (matches.length === 0) return { connectorId: row.connectorId, records: row.records, error: "the gathered record pointers are no longer stored" };
      return callRestrict(registry, row.connectorId, matches, false, plan.r.reference);
    }),
  );

  const done = ctx.db.transaction((tx) => {
    for (const o of outcomes) {
      const row = plan.inForce.find((x) => x.connectorId === o.connectorId)!;
      if (o.error) tx.update(restrictions).set({ error: `${LIFT_FAILED}${o.error}`.slice(0, 500) }).where(eq(restrictions.id, row.id)).run();
      // The reason it was never marked (not supported) stays readable in the history.
      else tx.update(restrictions).set({ liftedAt: ctx.now, liftedBy: me.id, error: stateOf(row) === "not_supported" ? NOT_SUPPORTED : null }).where(eq(restrictions.id, row.id)).run();
    }
    const details = {
      lifted: outcomes.filter((o) => !o.error).map((o) => o.connectorId),
      failed: outcomes.filter((o) => o.error).map((o) => o.connectorId),
      notified: plan.notified,
    };
    addEvent(tx, plan.r.id, ctx, "restriction_lifted", details);
    audit.append(tx, { actor: me, action: "restriction.lifted", reference: plan.r.reference, details, at: ctx.now });
    // Only while the request is open: a closed one has nothing left to answer with fresh data.
    const withdrawn = OPEN_STATUSES.includes(plan.r.status) ? refreshAfterChange(tx, ctx, plan.r, details.lifted, "restriction") : [];
    return { details, withdrawn };
  });
  for (const f of done.withdrawn) rmSync(f, { force: true });
  return done.details;
}

export type RestrictionRow = {
  connectorId: string;
  state: RestrictionState;
  records: number;
  appliedAt: Date;
  appliedBy: string | null;
  liftedAt: Date | null;
  liftedBy: string | null;
  /** scrubbed reason for failed / lift_failed */
  error: string | null;
};

/** Where the restriction applies, per connector, for the ticket page. No personal data. */
export function restrictionRows(db: DbOrTx, requestId: number): RestrictionRow[] {
  const rows = [...currentRows(db, requestId).values()];
  const ids = [...new Set(rows.flatMap((r) => [r.appliedBy, r.liftedBy]).filter((id): id is number => id !== null))];
  const names = new Map(ids.length ? db.select({ id: staff.id, name: staff.displayName }).from(staff).where(inArray(staff.id, ids)).all().map((s) => [s.id, s.name]) : []);
  return rows.map((row) => {
    const state = stateOf(row);
    return {
      connectorId: row.connectorId,
      state,
      records: row.records,
      appliedAt: row.appliedAt,
      appliedBy: row.appliedBy ? (names.get(row.appliedBy) ?? null) : null,
      liftedAt: row.liftedAt,
      liftedBy: row.liftedBy ? (names.get(row.liftedBy) ?? null) : null,
      error: state === "failed" ? row.error : state === "lift_failed" ? row.error!.slice(LIFT_FAILED.length) : null,
    };
  });
}
