import { and, asc, desc, eq, inArray, isNull, lt, ne, or, type SQL } from "drizzle-orm";
import type { ControllerPart } from "../../emails/referrals";
import { controllerParts, holdFor, released } from "./referrals.server";
import { createHash } from "node:crypto";
import { archives } from "../../db/schema/archives";
import { requests, type RequestRow } from "../../db/schema/requests";
import { erasurePlans, erasureSteps, recipientNotices, type ErasurePlanRow } from "../../db/schema/rights";
import { staff } from "../../db/schema/staff";
import * as emails from "../../emails";
import type { Registry } from "../connectors/registry";
import type { ErasureAction, Match } from "../connectors/types";
import type { ErasureOutcome, KeptItem, ProofRecord } from "../i18n/erasure-outcome";
import { decrypt, encrypt } from "../utils/crypto.server";
import type { Db, DbOrTx } from "../utils/db.server";
import { faultPoint } from "../utils/faults.server";
import { env } from "../utils/env.server";
import { log, scrub } from "../utils/log.server";
import { keepLease, LeaseLost, requireOwned } from "./leases.server";
import * as audit from "./audit.server";
import { requireRole } from "./authz";
import type { Actor, Ctx } from "./context";
import { DomainError } from "./errors";
import { loadTicket } from "./ticket-access.server";
import { requireAnswerable, searchConnector } from "./gather.server";
import { searchIdentifiers } from "./identifiers.server";
import { gatheredPrefix, purgeRequest, readGathered } from "./gather-store.server";
import { discardBlobs } from "../utils/blob-store.server";
import { processingOperations } from "../../db/schema/register";
import { REQUEST_HANDLING_DATASET } from "./register.server";
import { objectionStatus } from "./suppression.server";
import { addEvent, link } from "./requests.server";
import { reach } from "./contacts.server";
import { searchReport } from "./answers.server";
import { notifyRequester, unreachable } from "./letters.server";
import { notifyRecipients, recipientGroups, recordLine, type RecipientGroup, type RecordRef } from "./recipients.server";
import { businessSender } from "../utils/organisation.server";
import { issueLink } from "./verification.server";
import { brand } from "../../emails/layout";
import { certificateHtml, type CertificateLine } from "../../documents/erasure-certificate";
import { first, withTx, changes, skipLocked } from "../utils/db.server";

/**
 * Erasure (Art. 17), in five stages a DPO can defend:
 *  1. plan — a dry run over what the gather found: per connector, each record
 *     and what will happen to it (delete, anonymise with the masking rule,
 *     retain with its legal ground and end date), stored and shown;
 *  2. approve — by a DPO who did not prepare it (four eyes, enforced here);
 *  3. execute — a journal of steps, one per connector and batch, each
 *     idempotent, run by the worker loop under a lease: a killed process
 *     resumes where it stopped, a connector that is down keeps its steps
 *     pending (and visible) while the others complete;
 *  4. verify — every connector searched again with the same identifiers;
 *     anything found that was not meant to be retained fails loudly;
 *  5. certify — the certificate to the requester (its hash in the audit
 *     trail), Art. 19 notices to the recipients the register names, and the
 *     copies RightsDesk holds (gathered data, archives) purged.
 */

export const STEP_BATCH = 200;
/** An executor's lease (JOB_LEASE_SECONDS), renewed every third of it while it runs: a crashed one's plan is free again soon. */
const leaseMs = () => env().JOB_LEASE_SECONDS * 1000;
/** A pass that left work (a connector down) is retried after this long. */
const RETRY_MS = 60_000;

type PlanStep = { match: Match; action: ErasureAction };
type PlannedConnector = { id: string; label: string; kind: string; steps: PlanStep[] };
type StoredPlan = { connectors: PlannedConnector[] };
type Summary = ErasurePlanRow["summary"];

const planAad = (requestId: number) => `erasure-plan:${requestId}`;
const stepAad = (planId: number, connectorId: string, batch: number) => `erasure-step:${planId}:${connectorId}:${batch}`;

/** The operator CLI, trusted with the shell. */
const SYSTEM = { kind: "system" } as const;

async function latestPlan(db: DbOrTx, requestId: number) {
  return await first(db.select().from(erasurePlans).where(eq(erasurePlans.requestId, requestId)).orderBy(desc(erasurePlans.id)));
}

function readPlan(row: Pick<ErasurePlanRow, "plan" | "requestId">): StoredPlan {
  return JSON.parse(decrypt(row.plan, planAad(row.requestId)).toString()) as StoredPlan;
}

function summarise(plan: StoredPlan): Summary {
  const summary: Summary = {};
  for (const c of plan.connectors) {
    const s = (summary[c.id] = { delete: 0, anonymize: 0, retain: 0, files: 0 });
    for (const step of c.steps) {
      s[step.action.kind]++;
      if (c.kind === "recordings" && step.action.kind !== "retain") s.files++;
    }
  }
  return summary;
}

// ---------------------------------------------------------------------------
// 1. Plan

/** The dry run: stored, shown to the DPO, and audited. Replaces a plan not yet executing. */
export async function planErasure({ ctx, reference, registry }: { ctx: Ctx; reference: string; registry: Registry }) {
  const me = requireRole(ctx.actor, "dpo", "support");
  const r = await loadTicket(ctx.db, me, reference);
  if (!r.rights.includes("erasure")) throw new DomainError("illegal_transition", { code: "no_erasure_right" });
  if (!["received", "in_progress", "ready"].includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "erasure" });
  await requireAnswerable(ctx.db, r.id); // a finished gather, or a conflict
  const current = await latestPlan(ctx.db, r.id);
  // A certified erasure may be followed by another: what a client instructed us to erase after ours was certified
  // (data held as its processor, found again by a new search). The new plan holds only what is still found.
  if (current && ["executing", "executed"].includes(current.status)) throw new DomainError("illegal_transition", { code: "erasure_under_way" });

  // Data held for a client (as its processor) is erased only on that client's instruction (Art. 28(3)(a), 29).
  const hold = await holdFor(ctx.db, r.id, "erase", (id) => registry.get(id)?.kind);
  const byConnector = new Map<string, Match[]>();
  for (const m of released((await readGathered(ctx.db, r.id)).matches, hold)) (byConnector.get(m.connectorId) ?? byConnector.set(m.connectorId, []).get(m.connectorId)!).push(m);
  const plan: StoredPlan = { connectors: [] };
  for (const [connectorId, matches] of byConnector) {
    const c = registry.get(connectorId);
    if (!c) throw new DomainError("conflict", { code: "connector_missing", connector: connectorId });
    const proposed = c.proposeErasure?.(matches) ?? { steps: matches.map((match) => ({ match, action: { kind: "delete" as const } })) };
    // A match the connector left out of its proposal is deleted: nothing found stays by omission.
    const planned = new Set(proposed.steps.map((s) => `${s.match.dataset}\u0000${s.match.key}`));
    const steps = [...proposed.steps, ...matches.filter((m) => !planned.has(`${m.dataset}\u0000${m.key}`)).map((match) => ({ match, action: { kind: "delete" as const } }))];
    plan.connectors.push({ id: c.id, label: c.label, kind: c.kind, steps });
  }
  // Held nowhere: there is nothing to erase, and a certificate over an empty table would not be true.
  // The person gets the no-data answer instead (answers.server.ts).
  if (plan.connectors.every((c) => c.steps.length === 0)) {
    // Everything found is the client's: its instruction is awaited (or it answers itself), which is not "nothing".
    if (hold.parts.some((p) => p.state === "awaiting")) throw new DomainError("conflict", { code: "awaiting_controller" });
    throw new DomainError("illegal_transition", { code: hold.parts.length ? "nothing_to_erase_ours" : "nothing_to_erase" });
  }
  const summary = summarise(plan);

  return await withTx(ctx, async (tx) => {
    if (current && ["planned", "approved"].includes(current.status)) {
      await tx.update(erasurePlans).set({ status: "cancelled" }).where(eq(erasurePlans.id, current.id));
      await audit.append(tx, { actor: me, action: "erasure.cancelled", reference, details: { plan: current.id, replacedBy: "new plan" }, at: ctx.now });
    }
    const row = (await first(tx
      .insert(erasurePlans)
      .values({ requestId: r.id, status: "planned", plan: encrypt(Buffer.from(JSON.stringify(plan)), planAad(r.id)), summary, preparedBy: me.id, preparedAt: ctx.now })
      .returning()))!;
    await addEvent(tx, r.id, ctx, "erasure_planned", { plan: row.id });
    await audit.append(tx, { actor: me, action: "erasure.planned", reference, details: { plan: row.id, summary }, at: ctx.now });
    return row;
  });
}

export type PlanView = {
  id: number;
  status: ErasurePlanRow["status"];
  preparedBy: string | null;
  preparedById: number | null;
  preparedAt: Date;
  approvedBy: string | null;
  approvedAt: Date | null;
  executedAt: Date | null;
  verifiedAt: Date | null;
  verification: Record<string, unknown> | null;
  certificateSha256: string | null;
  connectors: {
    id: string;
    label: string;
    /**
     * One row per dataset and outcome: deleted, anonymised (nothing left but the key), pseudonymised
     * or kept — with what stays, field by field, its legal ground and its end date.
     */
    rows: { dataset: string; action: ErasureAction["kind"]; outcome: ErasureOutcome; removed: string[]; kept: KeptItem[]; count: number }[];
    steps: { batch: number; status: string; attempts: number; done: number | null; retained: number | null; error: string | null }[];
  }[];
  notices: { recipient: string; sentAt: Date; acknowledgedAt: Date | null; id: number }[];
  unreachable: string[];
  /** data held for a client as its processor, and whether its instruction lets the plan include it */
  controllers: ControllerPart[];
};

const nameOf = async (db: DbOrTx, id: number | null) => (id ? ((await first(db.select({ n: staff.displayName }).from(staff).where(eq(staff.id, id))))?.n ?? null) : null);

/** What the ticket page shows of the latest plan (no personal values: datasets, actions, counts). */
export async function planView(db: DbOrTx, requestId: number, registry: Pick<Registry, "get"> | null = null): Promise<PlanView | null> {
  const row = await latestPlan(db, requestId);
  if (!row) return null;
  const plan = readPlan(row);
  const steps = await db.select().from(erasureSteps).where(eq(erasureSteps.planId, row.id)).orderBy(asc(erasureSteps.connectorId), asc(erasureSteps.batch));
  const notices = await db.select().from(recipientNotices).where(and(eq(recipientNotices.requestId, requestId), eq(recipientNotices.kind, "erasure")));
  return {
    id: row.id,
    status: row.status,
    preparedBy: await nameOf(db, row.preparedBy),
    preparedById: row.preparedBy,
    preparedAt: row.preparedAt,
    approvedBy: await nameOf(db, row.approvedBy),
    approvedAt: row.approvedAt,
    executedAt: row.executedAt,
    verifiedAt: row.verifiedAt,
    verification: row.verification ?? null,
    certificateSha256: row.certificateSha256,
    connectors: plan.connectors.map((c) => {
      return {
        id: c.id,
        label: c.label,
        rows: outcomeRows(c.steps).map(({ action, outcome, removed, kept, count, dataset }) => ({ dataset, action, outcome, removed, kept, count })),
        steps: steps.filter((s) => s.connectorId === c.id).map((s) => ({ batch: s.batch, status: s.status, attempts: s.attempts, done: s.done, retained: s.retained, error: s.error })),
      };
    }),
    notices: notices.map((n) => ({ id: n.id, recipient: n.recipient, sentAt: n.sentAt, acknowledgedAt: n.acknowledgedAt })),
    unreachable: registry ? (await recipientGroups(db, requestId, planRecords(plan), registry)).unknown : [],
    controllers: await controllerParts(db, requestId, "erase"),
  };
}

/** The plan as JSON for the CLI: datasets, keys and actions (connector keys are not personal values). */
export async function planJson(db: DbOrTx, reference: string) {
  const r = await loadTicket(db, SYSTEM, reference, { system: true });
  const row = await latestPlan(db, r.id);
  if (!row) throw new DomainError("not_found", { what: "erasure plan" });
  return { reference, plan: row.id, status: row.status, preparedBy: row.preparedBy, approvedBy: row.approvedBy, summary: row.summary, connectors: readPlan(row).connectors };
}

// ---------------------------------------------------------------------------
// 2. Approve

/**
 * A DPO approves; the person who prepared the plan cannot (four eyes). The
 * journal is written in the same transaction, so an approved plan always has
 * its steps, and the worker loop picks it up.
 */
export async function approveErasure({ ctx, reference }: { ctx: Ctx; reference: string }) {
  const me = requireRole(ctx.actor, "dpo");
  const r = await loadTicket(ctx.db, me, reference);
  const row = await latestPlan(ctx.db, r.id);
  if (!row || row.status !== "planned") throw new DomainError("illegal_transition", { code: "no_plan_to_approve" });
  if (row.preparedBy === me.id) throw new DomainError("forbidden", { code: "four_eyes" });
  // The certificate will go to a contact proven for this request, or nowhere: say so before erasing anything.
  if (!(await reach(ctx.db, r, { disclosure: true }))) throw unreachable(true);
  const plan = readPlan(row);
  await withTx(ctx, async (tx) => {
    // Approved once: a second approval racing this one (another tab, another process) changes nothing.
    const approved = await tx.update(erasurePlans).set({ status: "approved", approvedBy: me.id, approvedAt: ctx.now }).where(and(eq(erasurePlans.id, row.id), eq(erasurePlans.status, "planned")));
    if (approved.changes !== 1) throw new DomainError("illegal_transition", { code: "no_plan_to_approve" });
    for (const c of plan.connectors) {
      for (let b = 0; b * STEP_BATCH < c.steps.length; b++) {
        const part = c.steps.slice(b * STEP_BATCH, (b + 1) * STEP_BATCH);
        await tx.insert(erasureSteps)
          .values({ planId: row.id, connectorId: c.id, batch: b, payload: encrypt(Buffer.from(JSON.stringify(part)), stepAad(row.id, c.id, b)), status: "pending" });
      }
    }
    await addEvent(tx, r.id, ctx, "erasure_approved", { plan: row.id });
    await audit.append(tx, { actor: me, action: "erasure.approved", reference, details: { plan: row.id, preparedBy: row.preparedBy }, at: ctx.now });
  });
}

// ---------------------------------------------------------------------------
// 3–5. Execute, verify, certify (worker loop and CLI)

/**
 * Claims one approved or unfinished plan whose lease is free and takes it as
 * far as it can go. Returns false when there was nothing to do.
 */
export async function runNextErasure({ db, registry, now = () => new Date() }: { db: Db; registry: Registry; now?: () => Date }): Promise<boolean> {
  const t = now();
  const claimed = await withTx(db, async (tx) => {
    const candidates = await skipLocked(tx, tx
      .select()
      .from(erasurePlans)
      .where(and(inArray(erasurePlans.status, ["approved", "executing", "executed"]), or(isNull(erasurePlans.leaseUntil), lt(erasurePlans.leaseUntil, t))))
      .orderBy(asc(erasurePlans.id))
      .limit(5));
    for (const row of candidates) {
      const won = await claimPlan(tx, row, t);
      if (won) return won;
    }
    return undefined;
  });
  if (!claimed) return false;
  await advance(db, registry, claimed, now);
  return true;
}

/**
 * Compare-and-set: the plan as it was read (status, attempt) with its lease
 * free or expired becomes ours, with the next attempt. Undefined when
 * another executor got there first.
 */
async function claimPlan(tx: DbOrTx, row: ErasurePlanRow, t: Date): Promise<ErasurePlanRow | undefined> {
  return (await first(tx
    .update(erasurePlans)
    .set({ status: row.status === "approved" ? "executing" : row.status, leaseUntil: new Date(t.getTime() + leaseMs()), attempts: row.attempts + 1 })
    .where(
      and(
        eq(erasurePlans.id, row.id),
        eq(erasurePlans.attempts, row.attempts),
        eq(erasurePlans.status, row.status),
        or(isNull(erasurePlans.leaseUntil), lt(erasurePlans.leaseUntil, t)),
      ),
    )
    .returning()))!;
}

/**
 * Runs one plan to the end now (CLI), or as far as its connectors allow,
 * through the same claim as the worker: a plan another process is running
 * answers "already running" rather than being run twice; one already
 * verified is left as it is.
 */
export async function executeNow({ db, registry, reference, now = () => new Date() }: { db: Db; registry: Registry; reference: string; now?: () => Date }) {
  const r = await loadTicket(db, SYSTEM, reference, { system: true });
  const claimed = await withTx(db, async (tx) => {
    const row = await latestPlan(tx, r.id);
    if (row?.status === "verified") return { done: row };
    if (!row || !["approved", "executing", "executed"].includes(row.status)) throw new DomainError("illegal_transition", { code: "not_approved" });
    const won = await claimPlan(tx, row, now());
    if (!won) throw new DomainError("conflict", { code: "already_running" });
    return { won };
  });
  if ("done" in claimed) return claimed.done!;
  await advance(db, registry, claimed.won!, now);
  return (await first(db.select().from(erasurePlans).where(eq(erasurePlans.id, claimed.won!.id))))!;
}

const system: Actor = { kind: "system" };

/**
 * Takes a claimed plan as far as it can go. The lease is renewed while it
 * runs; every write that moves the plan on is conditional on our attempt
 * still owning it (and on the status we expect), so a late executor changes
 * nothing — no second certificate, no plan moved back from verified.
 */
async function advance(db: Db, registry: Registry, claimed: ErasurePlanRow, now: () => Date) {
  const planId = claimed.id;
  const attempt = claimed.attempts;
  const mine = and(eq(erasurePlans.id, planId), eq(erasurePlans.attempts, attempt));
  const lease = keepLease(async () => (changes(await db.update(erasurePlans).set({ leaseUntil: new Date(now().getTime() + leaseMs()) }).where(mine))) === 1, leaseMs() / 3);
  const owned = async (tx: DbOrTx) => requireOwned({ changes: (await tx.select({ id: erasurePlans.id }).from(erasurePlans).where(mine)).length }, "erasure");
  try {
    await advanceOwned(db, registry, claimed, now, { mine, owned, check: () => lease.check("erasure") });
  } catch (error) {
    if (!(error instanceof LeaseLost)) throw error;
    log.warn("erasure.lease_lost", { plan: planId, attempt });
  } finally {
    lease.stop();
  }
}

type Ownership = { mine: SQL | undefined; owned: (tx: DbOrTx) => Promise<void>; check: () => void };

async function advanceOwned(db: Db, registry: Registry, plan: ErasurePlanRow, now: () => Date, own: Ownership) {
  const planId = plan.id;
  const r = (await first(db.select().from(requests).where(eq(requests.id, plan.requestId))))!;
  const ctx = () => ({ db, now: now(), actor: system });

  if (plan.status === "executing") {
    const pending = await db.select().from(erasureSteps).where(and(eq(erasureSteps.planId, planId), ne(erasureSteps.status, "done"))).orderBy(asc(erasureSteps.id));
    for (const step of pending) {
      own.check();
      const connector = registry.get(step.connectorId);
      const matches = JSON.parse(decrypt(step.payload, stepAad(planId, step.connectorId, step.batch)).toString()) as PlanStep[];
      let error: string | null = null;
      let done = 0;
      let retained = 0;
      if (!connector) error = "connector not configured";
      else {
        try {
          const result = await connector.erase(
            matches.map((s) => s.match),
            { steps: matches },
          );
          done = result.done.length;
          retained = result.retained.length;
          if (result.failed.length) error = `${result.failed.length} record(s) failed: ${scrub(result.failed[0]!.error)}`;
        } catch (e) {
          error = scrub(e instanceof Error ? e.message : String(e));
        }
      }
      const at = now();
      await withTx(db, async (tx) => {
        await own.owned(tx);
        const unfinished = and(eq(erasureSteps.id, step.id), ne(erasureSteps.status, "done"));
        if (error) {
          await tx.update(erasureSteps).set({ attempts: step.attempts + 1, error }).where(unfinished);
          await audit.append(tx, { actor: system, action: "erasure.step.failed", reference: r.reference, details: { plan: planId, connector: step.connectorId, batch: step.batch, attempt: step.attempts + 1 }, at });
        } else {
          requireOwned(await tx.update(erasureSteps).set({ status: "done", attempts: step.attempts + 1, done, retained, error: null, finishedAt: at }).where(unfinished), "erasure step");
          await audit.append(tx, { actor: system, action: "erasure.step.executed", reference: r.reference, details: { plan: planId, connector: step.connectorId, batch: step.batch, done, retained }, at });
        }
      });
      faultPoint("erasure-step-committed");
    }
    const left = (await db.select({ id: erasureSteps.id }).from(erasureSteps).where(and(eq(erasureSteps.planId, planId), ne(erasureSteps.status, "done")))).length;
    if (left) {
      // Pending steps stay visible on the ticket; the worker tries again after RETRY_MS.
      requireOwned(await db.update(erasurePlans).set({ leaseUntil: new Date(now().getTime() + RETRY_MS) }).where(own.mine), "erasure");
      return;
    }
    await withTx(db, async (tx) => {
      requireOwned(await tx.update(erasurePlans).set({ status: "executed", executedAt: now() }).where(and(own.mine, eq(erasurePlans.status, "executing"))), "erasure");
      await addEvent(tx, r.id, ctx(), "erasure_executed", { plan: planId });
      await audit.append(tx, { actor: system, action: "erasure.executed", reference: r.reference, details: { plan: planId }, at: now() });
    });
  }

  // 4. Verify: the same identifiers, every connector of the plan, searched again.
  const stored = readPlan(plan);
  const retainedKeys = new Set(stored.connectors.flatMap((c) => c.steps.filter((s) => s.action.kind === "retain").map((s) => `${c.id}\u0000${s.match.dataset}\u0000${s.match.key}`)));
  const identity = await searchIdentifiers(db, r);
  const leftovers: Record<string, number> = {};
  for (const c of stored.connectors) {
    own.check();
    const connector = registry.get(c.id);
    try {
      if (!connector) throw new Error("connector not configured");
      const found = await searchConnector(connector, identity, AbortSignal.timeout(60_000));
      const unexpected = found.filter((m) => !retainedKeys.has(`${c.id}\u0000${m.dataset}\u0000${m.key}`)).length;
      if (unexpected) leftovers[c.id] = unexpected;
    } catch {
      // Cannot prove it yet: verification waits for the connector.
      requireOwned(await db.update(erasurePlans).set({ leaseUntil: new Date(now().getTime() + RETRY_MS) }).where(own.mine), "erasure");
      return;
    }
  }
  if (Object.keys(leftovers).length) {
    await withTx(db, async (tx) => {
      requireOwned(await tx.update(erasurePlans).set({ status: "failed", verification: { leftovers }, leaseUntil: null }).where(and(own.mine, eq(erasurePlans.status, "executed"))), "erasure");
      await addEvent(tx, r.id, ctx(), "erasure_verification_failed", { plan: planId, leftovers });
      await audit.append(tx, { actor: system, action: "erasure.verification_failed", reference: r.reference, details: { plan: planId, leftovers }, at: now() });
    });
    return;
  }
  own.check();
  await certify(db, registry, planId, own.mine, now());
}

// ---------------------------------------------------------------------------
// 5. Certificate, Art. 19, copies

/**
 * What an action leaves of a record. Anonymised only when the connector
 * says nothing but the key is left; an anonymize step that keeps a keyed hash,
 * a generalised value or any column as it was is pseudonymisation (Recital
 * 26), and one whose connector did not say what stays is not claimed
 * anonymous either.
 */
export function outcomeOf(action: ErasureAction): { outcome: ErasureOutcome; removed: string[]; kept: KeptItem[] } {
  switch (action.kind) {
    case "delete":
      return { outcome: "deleted", removed: [], kept: [] };
    case "anonymize":
      return { outcome: action.kept?.length === 0 ? "anonymised" : "pseudonymised", removed: action.removed ?? [], kept: action.kept ?? [] };
    case "retain":
      return {
        outcome: "kept",
        removed: [],
        kept: (action.fields?.length ? action.fields : [null]).map((field) => ({ field, form: "unchanged" as const, legalBasis: action.legalBasis, until: action.until })),
      };
  }
}

/** Steps grouped per dataset and outcome (with the same fields kept for the same reasons), in plan order. */
function outcomeRows(steps: PlanStep[]) {
  const rows = new Map<string, { dataset: string; action: ErasureAction["kind"]; outcome: ErasureOutcome; removed: string[]; kept: KeptItem[]; count: number }>();
  for (const s of steps) {
    const o = outcomeOf(s.action);
    const k = JSON.stringify([s.match.dataset, s.action.kind, o.outcome, o.removed, o.kept]);
    const row = rows.get(k) ?? rows.set(k, { dataset: s.match.dataset, action: s.action.kind, ...o, count: 0 }).get(k)!;
    row.count++;
  }
  return [...rows.values()];
}

/** Per system and dataset: deleted, anonymised, pseudonymised or kept, and each field kept with its ground and end date. */
function certificateLines(stored: StoredPlan): CertificateLine[] {
  return stored.connectors.flatMap((c) => outcomeRows(c.steps).map(({ dataset, outcome, removed, kept, count }) => ({ system: c.label, dataset, outcome, removed, kept, count })));
}

/**
 * RightsDesk's own records of the request, which stay when the person's data
 * goes: the ticket and its timeline, the audit trail (both on the register's
 * request-handling operation, OP-07, whose ground and retention are quoted),
 * and the suppression list entry when their identifiers are on it.
 */
export async function proofRecords(db: DbOrTx, r: Pick<RequestRow, "email" | "phone">): Promise<ProofRecord[]> {
  const op = (await db
    .select()
    .from(processingOperations))
    .find((o) => o.datasets.includes(REQUEST_HANDLING_DATASET));
  const ground = op
    ? { operation: op.code, legalBasis: op.legalBasis, retention: op.retention }
    : { operation: null, legalBasis: "obligation légale (art. 6, paragraphe 1, point c) du RGPD), articles 12 à 22 du RGPD.", retention: "la durée prévue à notre registre des traitements pour le traitement des demandes." };
  const records: ProofRecord[] = [
    { record: "ticket", ...ground },
    { record: "audit", ...ground },
  ];
  const listed = (await objectionStatus(db, r)).filter((s) => s.since !== null).map((s) => s.kind);
  if (listed.length) records.push({ record: "suppression", kinds: listed });
  return records;
}

/** The records an erasure plan acted on, for the Art. 19 notices. */
const planRecords = (plan: StoredPlan): RecordRef[] => plan.connectors.flatMap((c) => c.steps.map((s) => ({ connectorId: c.id, dataset: s.match.dataset, key: s.match.key })));

/** The plan cut down to one company's records: what its notice says we did, and nothing else. */
function planFor(plan: StoredPlan, g: RecipientGroup): StoredPlan {
  const mine = new Set(g.records.map((r) => JSON.stringify([r.connectorId, r.dataset, r.key])));
  return {
    connectors: plan.connectors
      .map((c) => ({ ...c, steps: c.steps.filter((s) => mine.has(JSON.stringify([c.id, s.match.dataset, s.match.key]))) }))
      .filter((c) => c.steps.length > 0),
  };
}

async function certify(db: Db, registry: Registry, planId: number, mine: SQL | undefined, at: Date) {
  const plan = (await first(db.select().from(erasurePlans).where(eq(erasurePlans.id, planId))))!;
  const r = (await first(db.select().from(requests).where(eq(requests.id, plan.requestId))))!;
  const stored = readPlan(plan);
  const { groups } = await recipientGroups(db, r.id, planRecords(stored), registry);
  const lines = certificateLines(stored);
  const proof = await proofRecords(db, r);
  const searched = await (async () => {
    try {
      return await searchReport(db, r, registry);
    } catch {
      return null; // a search re-queued since: the table above still says what was done
    }
  })();
  const controllers = await controllerParts(db, r.id, "erase");
  const html = certificateHtml({ brand: brand(), reference: r.reference, at, lines, proof, notified: groups.map((g) => g.client.name), searched, controllers });
  const sha256 = createHash("sha256").update(html).digest("hex");
  const ctx: Ctx = { db, now: at, actor: system };

  const files = await withTx(db, async (tx) => {
    // Once, by the executor that still owns the plan: a late one's transaction stops here, and nothing is sent twice.
    requireOwned(
      await tx
        .update(erasurePlans)
        .set({ status: "verified", verifiedAt: at, verification: { leftovers: {} }, certificate: encrypt(Buffer.from(html), `erasure-certificate:${planId}`), certificateSha256: sha256, leaseUntil: null })
        .where(and(mine, eq(erasurePlans.status, "executed"))),
      "erasure",
    );
    await addEvent(tx, r.id, ctx, "erasure_verified", { plan: planId });
    await audit.append(tx, { actor: system, action: "erasure.verified", reference: r.reference, details: { plan: planId }, at });
    await audit.append(tx, { actor: system, action: "erasure.certified", reference: r.reference, details: { plan: planId, sha256 }, at });

    // The requester: the certificate by email (or an SMS, or a letter to post), and on their follow-up page.
    try {
      await notifyRequester(tx, ctx, r, {
        kind: "erasure_certificate",
        template: "erasure_certificate",
        message: emails.erasureCertificate({ reference: r.reference, lines, proof, controllers, statusLink: link(`/suivi/lien/${(await issueLink(tx, r.id, "status_link", at))}`) }, r.locale),
        sms: (l) =>
          r.locale === "en"
            ? `${brand()}: your erasure request ${r.reference} is done. What was erased and what remains, in your certificate: ${l}`
            : `${brand()} : votre demande d'effacement ${r.reference} est traitée. Ce qui a été effacé et ce qui reste, dans votre certificat : ${l}`,
        disclosure: true,
      });
    } catch (error) {
      // Checked at approval; if the contact went since, the certificate waits on the status page and the ticket says so.
      if (!(error instanceof DomainError)) throw error;
      await addEvent(tx, r.id, ctx, "certificate_unreachable", {});
    }

    // Art. 19: each company the erased records went to, about its own records only, tracked on the ticket.
    const sender = businessSender();
    await notifyRecipients(tx, {
      requestId: r.id,
      reference: r.reference,
      kind: "erasure",
      records: planRecords(stored),
      groups,
      registry,
      actor: system,
      at,
      render: (g) => emails.recipientErasureNotice({ reference: r.reference, recipient: g.client.name, records: g.records.map(recordLine), lines: certificateLines(planFor(stored, g)), sender }),
    });

    // Our own copies: gathered data and archives go; the request, its timeline, the plan's counts and the audit stay.
    const held = await tx.select().from(archives).where(and(eq(archives.requestId, r.id), eq(archives.status, "ready")));
    for (const a of held) await tx.update(archives).set({ status: "purged", filePath: null, purgedAt: at, purgeReason: "erasure" }).where(eq(archives.id, a.id));
    await purgeRequest(tx, r.id);
    await audit.append(tx, { actor: system, action: "erasure.copies_purged", reference: r.reference, details: { plan: planId, archives: held.length }, at });
    return held.map((a) => a.filePath).filter((p): p is string => !!p);
  });
  // After the commit: a blob whose row is gone is never read again (a failure to delete is logged and swept later).
  await discardBlobs({ keys: files, prefixes: [gatheredPrefix(r.id)] });
}

/** The certificate document, for the requester's follow-up page and the back office. */
export async function certificateFor(db: DbOrTx, requestId: number): Promise<{ html: string; sha256: string } | null> {
  const row = await first(db
    .select()
    .from(erasurePlans)
    .where(and(eq(erasurePlans.requestId, requestId), eq(erasurePlans.status, "verified")))
    .orderBy(desc(erasurePlans.id)));
  if (!row?.certificate || !row.certificateSha256) return null;
  return { html: decrypt(row.certificate, `erasure-certificate:${row.id}`).toString(), sha256: row.certificateSha256 };
}

/** Staff record that a recipient acknowledged an Art. 19 notice. */
export async function acknowledgeNotice({ ctx, reference, noticeId }: { ctx: Ctx; reference: string; noticeId: number }) {
  const me = requireRole(ctx.actor, "dpo", "support");
  const r = await loadTicket(ctx.db, me, reference);
  const n = await first(ctx.db.select().from(recipientNotices).where(and(eq(recipientNotices.id, noticeId), eq(recipientNotices.requestId, r.id))));
  if (!n) throw new DomainError("not_found", { what: "notice" });
  if (n.acknowledgedAt) return;
  await withTx(ctx, async (tx) => {
    await tx.update(recipientNotices).set({ acknowledgedAt: ctx.now, acknowledgedBy: me.id }).where(eq(recipientNotices.id, n.id));
    await audit.append(tx, { actor: me, action: "recipient.acknowledged", reference, details: { kind: n.kind, recipient: n.recipient }, at: ctx.now });
  });
}
