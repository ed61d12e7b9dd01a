import { and, asc, count, eq, gt, inArray, isNotNull, isNull, lt, ne, notExists, sql, type SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { archives } from "../../db/schema/archives";
import { gatheredItems } from "../../db/schema/gather";
import { outbox } from "../../db/schema/outbox";
import { processingOperations } from "../../db/schema/register";
import { attachments, infoRequests, letters, requestIdentifiers, requestNotes, requests, type RequestRow } from "../../db/schema/requests";
import { litigationHolds, retentionRuns } from "../../db/schema/retention";
import { erasurePlans, restrictions } from "../../db/schema/rights";
import { verificationTokens } from "../../db/schema/verification";
import type { Registry } from "../connectors/registry";
import type { Connector } from "../connectors/types";
import type { Db, DbOrTx } from "../utils/db.server";
import { env } from "../utils/env.server";
import { faultPoint } from "../utils/faults.server";
import { log } from "../utils/log.server";
import { registerDatasetId } from "./register.server";
import * as audit from "./audit.server";
import { requireRole } from "./authz";
import type { Ctx } from "./context";
import { parisDate } from "./deadlines";
import { DomainError } from "./errors";
import { gatheredPrefix, purgeRequest, readGathered } from "./gather-store.server";
import { discardBlobs } from "../utils/blob-store.server";
import { sweepOrphanBlobs } from "./blob-sweep.server";
import { keepLease } from "./leases.server";
import { forgetRectificationValues } from "./rectification.server";
import { REQUEST_HANDLING_DATASET } from "./register.server";
import { addEvent } from "./requests.server";
import { staffNames } from "./staff.server";
import { withTx, first, changes, forUpdate, isUniqueViolation } from "../utils/db.server";

/**
 * Retention enforced (Art. 5(1)(e); docs/retention.md). One job, run once a
 * day by the workers and on demand by `npm run -s cli -- retention run`:
 * - recordings older than the register's duration for their dataset, unless
 *   a litigation hold is recorded (or the record is restricted, Art. 18);
 * - requests never verified: identity deleted once expired plus a grace;
 * - closed requests: identity, contacts, mandate, bodies of letters and
 *   messages purged after OP-07's duration, keeping the reference, dates,
 *   outcome and keyed hashes as proof.
 * It reports counts per category, never values, and audits each purge.
 */

const DAY = 86_400_000;
const CLOSED_STATUSES = ["completed", "refused", "cancelled", "duplicate"] as const;
const DEFAULT_TICKET_RETENTION_DAYS = 1826;
const RECORDING_BATCH = 200;

export type RecordingCounts = {
  connectorId: string;
  /** register codes whose duration applies */
  operations: string[];
  /** null: the register gives no duration for this dataset, so nothing is purged */
  retentionDays: number | null;
  purge: number;
  held: number;
  restricted: number;
  undated: number;
  failed: number;
};
export type RequestPurgeCounts = {
  purge: number;
  attachments: number;
  identifiers: number;
  tokens: number;
  letters: number;
  outbox: number;
  notes: number;
  questions: number;
  gathered: number;
  archives: number;
  certificates: number;
  rectifications: number;
};
export type RetentionReport = {
  dryRun: boolean;
  recordings: RecordingCounts[];
  unverified: RequestPurgeCounts & { graceDays: number };
  closed: RequestPurgeCounts & { retentionDays: number };
};

const emptyCounts = (): RequestPurgeCounts => ({
  purge: 0,
  attachments: 0,
  identifiers: 0,
  tokens: 0,
  letters: 0,
  outbox: 0,
  notes: 0,
  questions: 0,
  gathered: 0,
  archives: 0,
  certificates: 0,
  rectifications: 0,
});

// ---------------------------------------------------------------------------
// Durations

/** OP-07's duration, unless TICKET_RETENTION_DAYS overrides it. */
export async function ticketRetentionDays(db: DbOrTx): Promise<number> {
  const configured = env().TICKET_RETENTION_DAYS;
  if (configured) return configured;
  const op = (await db.select().from(processingOperations)).find((o) => o.datasets.includes(REQUEST_HANDLING_DATASET));
  return op?.retentionDays ?? DEFAULT_TICKET_RETENTION_DAYS;
}

/**
 * The register's duration for a connector's dataset: of the operations that
 * hold it (OP-01 and OP-05 both use the recordings), the longest, since
 * deleting sooner would defeat a purpose the register declares. None with a
 * duration: nothing is purged, and the report says so.
 */
export async function datasetRetention(db: DbOrTx, connector: Pick<Connector, "kind">, dataset: string): Promise<{ operations: string[]; days: number | null }> {
  const id = registerDatasetId(connector.kind, dataset);
  const ops = (await db
    .select()
    .from(processingOperations))
    .filter((o) => o.datasets.includes(id) && o.retentionDays !== null);
  if (!ops.length) return { operations: [], days: null };
  return { operations: ops.map((o) => o.code).sort(), days: Math.max(...ops.map((o) => o.retentionDays!)) };
}

// ---------------------------------------------------------------------------
// Litigation holds

const activeHolds = async (db: DbOrTx, connectorId: string) =>
  new Set(
    (await db
      .select({ key: litigationHolds.itemKey })
      .from(litigationHolds)
      .where(and(eq(litigationHolds.connectorId, connectorId), isNull(litigationHolds.liftedAt))))
      .map((h) => h.key),
  );

const RECORDING_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const REFERENCE = /^DSR-\d{4}-\d{6}$/;

export type HoldInput = { connectorId: string; itemKey: string; reason: string; reference?: string };

/** The DPO keeps a recording for a dispute: it is skipped by every purge until the hold is lifted. */
export async function setHold({ ctx, input, registry }: { ctx: Ctx; input: HoldInput; registry: Pick<Registry, "get"> }) {
  const me = requireRole(ctx.actor, "dpo");
  const connectorId = input.connectorId.trim();
  const itemKey = input.itemKey.trim();
  const reason = input.reason.trim();
  const connector = registry.get(connectorId);
  if (!connector?.retention) throw new DomainError("invalid_input", { field: "connectorId" });
  if (!RECORDING_ID.test(itemKey)) throw new DomainError("invalid_input", { field: "itemKey" });
  if (reason.length < 10 || reason.length > 1000) throw new DomainError("invalid_input", { field: "reason" });
  const reference = input.reference?.trim() || undefined;
  if (reference !== undefined && !REFERENCE.test(reference)) throw new DomainError("invalid_input", { field: "reference" });
  return await withTx(ctx, async (tx) => {
      const requestId = reference ? (await first(tx.select({ id: requests.id }).from(requests).where(eq(requests.reference, reference))))?.id : undefined;
      if (reference && !requestId) throw new DomainError("invalid_input", { field: "reference" });
      if ((await activeHolds(tx, connectorId)).has(itemKey)) throw new DomainError("conflict", { code: "hold_exists" });
      const row = (await first(tx
        .insert(litigationHolds)
        .values({ connectorId, itemKey, requestId: requestId ?? null, reason, setBy: me.id, setAt: ctx.now })
        .returning({ id: litigationHolds.id })))!;
      // The reason stays in the holds table: free text may name someone, the journal must not.
      await audit.append(tx, { actor: me, action: "retention.hold_set", reference: reference ?? null, details: { hold: row.id, connectorId, recording: itemKey }, at: ctx.now });
      return row.id;
    },
  );
}

export async function liftHold({ ctx, holdId, reason }: { ctx: Ctx; holdId: number; reason: string }) {
  const me = requireRole(ctx.actor, "dpo");
  const why = reason.trim();
  if (why.length < 10 || why.length > 1000) throw new DomainError("invalid_input", { field: "liftReason" });
  await withTx(ctx, async (tx) => {
      const row = await first(tx.select().from(litigationHolds).where(eq(litigationHolds.id, holdId)));
      if (!row) throw new DomainError("not_found");
      const done = await tx
        .update(litigationHolds)
        .set({ liftedAt: ctx.now, liftedBy: me.id, liftReason: why })
        .where(and(eq(litigationHolds.id, holdId), isNull(litigationHolds.liftedAt)));
      if (done.changes !== 1) throw new DomainError("illegal_transition", { code: "hold_already_lifted" });
      const reference = row.requestId ? ((await first(tx.select({ r: requests.reference }).from(requests).where(eq(requests.id, row.requestId))))?.r ?? null) : null;
      await audit.append(tx, { actor: me, action: "retention.hold_lifted", reference, details: { hold: holdId, connectorId: row.connectorId, recording: row.itemKey }, at: ctx.now });
    },
  );
}

export type HoldView = {
  id: number;
  connectorId: string;
  itemKey: string;
  reference: string | null;
  reason: string;
  setBy: string | null;
  setAt: Date;
  liftedBy: string | null;
  liftedAt: Date | null;
  liftReason: string | null;
};

/** Every hold, in force first: the DPO's page. Holds name recordings by id, never by what they hold. */
export async function listHolds(ctx: Ctx): Promise<HoldView[]> {
  requireRole(ctx.actor, "dpo");
  const rows = await ctx.db
    .select({ h: litigationHolds, reference: requests.reference })
    .from(litigationHolds)
    .leftJoin(requests, eq(requests.id, litigationHolds.requestId))
    .orderBy(sql`${litigationHolds.liftedAt} is not null`, asc(litigationHolds.setAt));
  const names = await staffNames(ctx.db, rows.flatMap(({ h }) => [h.setBy, h.liftedBy]));
  return rows.map(({ h, reference }) => ({
      id: h.id,
      connectorId: h.connectorId,
      itemKey: h.itemKey,
      reference: reference ?? null,
      reason: h.reason,
      setBy: names.get(h.setBy) ?? null,
      setAt: h.setAt,
      liftedBy: h.liftedBy ? (names.get(h.liftedBy) ?? null) : null,
      liftedAt: h.liftedAt,
      liftReason: h.liftReason,
    }));
}

/** The DPO's holds page: the holds, and the sources whose records have a retention to hold against. */
export async function holdsPage({ ctx, registry }: { ctx: Ctx; registry: Pick<Registry, "list"> }) {
  const holds = await listHolds(ctx);
  return { holds, sources: registry.list().filter((c) => c.retention).map((c) => ({ id: c.id, label: c.label })) };
}

// ---------------------------------------------------------------------------
// What the gather shows staff about a ticket's recordings

export type RecordingFlag = {
  connectorId: string;
  connectorLabel: string;
  recording: string;
  startedAt: string | null;
  /** past the register's duration: the daily job deletes it unless held */
  pastRetention: boolean;
  retentionDays: number | null;
  /** recorded although the person's agreement was not recorded (OP-01's legal basis is consent) */
  withoutConsent: boolean;
  held: boolean;
};

/**
 * Recordings in a ticket's gathered records that staff must notice: past
 * their duration, or recorded without consent. Reads record fields (id,
 * date, consent flag) from the gathered copy: call it through auditedRead.
 */
export async function recordingFlags(db: DbOrTx, records: { connectorId: string; dataset: string; key: string; fields: Record<string, unknown> }[], registry: Pick<Registry, "get">, now: Date): Promise<RecordingFlag[]> {
  const out: RecordingFlag[] = [];
  const holdsBy = new Map<string, Set<string>>();
  for (const r of records) {
    const connector = registry.get(r.connectorId);
    if (!connector?.retention || connector.retention.dataset !== r.dataset) continue;
    const { days } = await datasetRetention(db, connector, r.dataset);
    const startedAt = typeof r.fields.startedAt === "string" ? r.fields.startedAt : null;
    const pastRetention = days !== null && startedAt !== null && Date.parse(startedAt) < now.getTime() - days * DAY;
    const withoutConsent = r.fields.consentRecorded === false;
    if (!pastRetention && !withoutConsent) continue;
    const holds = holdsBy.get(r.connectorId) ?? holdsBy.set(r.connectorId, await activeHolds(db, r.connectorId)).get(r.connectorId)!;
    out.push({ connectorId: r.connectorId, connectorLabel: connector.label, recording: r.key, startedAt, pastRetention, retentionDays: days, withoutConsent, held: holds.has(r.key) });
  }
  return out;
}

/** The flags for a ticket's gathered recordings (personal data: read through tickets.auditedRead). */
export async function recordingFlagsFor(db: DbOrTx, requestId: number, registry: Pick<Registry, "get">, now: Date): Promise<RecordingFlag[]> {
  return await recordingFlags(db, (await readGathered(db, requestId)).records, registry, now);
}

// ---------------------------------------------------------------------------
// One request's purge

const n = async (db: DbOrTx, table: SQLiteTable, where: SQL | undefined): Promise<number> => ((await first(db.select({ n: count() }).from(table).where(where))) as { n: number } | undefined)?.n ?? 0;

/**
 * Deletes (or, dry, counts) what a request holds about the person, keeping
 * its reference, rights, channel, site, status, outcome, dates, timeline,
 * the keyed hashes of its email and phone, and the register of what was
 * done (erasure plans hold connector keys, not values). Returns the counts
 * and the files to remove once the transaction has committed.
 */
async function purgeRequestData(tx: DbOrTx, r: RequestRow, now: Date, dry: boolean): Promise<{ counts: Omit<RequestPurgeCounts, "purge">; files: string[] }> {
  const readyArchives = await tx.select({ id: archives.id, filePath: archives.filePath }).from(archives).where(and(eq(archives.requestId, r.id), eq(archives.status, "ready")));
  const counts = {
    attachments: await n(tx, attachments, eq(attachments.requestId, r.id)),
    identifiers: await n(tx, requestIdentifiers, eq(requestIdentifiers.requestId, r.id)),
    tokens: await n(tx, verificationTokens, eq(verificationTokens.requestId, r.id)),
    letters: await n(tx, letters, and(eq(letters.requestId, r.id), gt(sql`length(${letters.html})`, 0))),
    // A message still waiting to be sent keeps its text: it goes out first, and the next run empties it.
    outbox: await n(tx, outbox, and(eq(outbox.requestId, r.id), ne(outbox.status, "pending"), ne(outbox.recipient, ""))),
    notes: await n(tx, requestNotes, eq(requestNotes.requestId, r.id)),
    questions: await n(tx, infoRequests, and(eq(infoRequests.requestId, r.id), ne(infoRequests.question, ""))),
    gathered: await n(tx, gatheredItems, eq(gatheredItems.requestId, r.id)),
    archives: readyArchives.length,
    certificates: await n(tx, erasurePlans, and(eq(erasurePlans.requestId, r.id), isNotNull(erasurePlans.certificate))),
    rectifications: await forgetRectificationValues(tx, r.id, true),
  };
  if (dry) return { counts, files: [] };
  const files: string[] = [];
  await tx.update(requests)
    .set({
      lastName: "",
      firstName: "",
      email: null,
      phone: null,
      subjectLastName: null,
      subjectFirstName: null,
      details: null,
      rectificationWrong: null,
      rectificationCorrect: null,
      postalAddress: null,
      postcode: null,
      mandateScope: null,
      mandateRejection: null,
      identityPurgedAt: now,
      updatedAt: now,
    })
    .where(eq(requests.id, r.id));
  await tx.delete(attachments).where(eq(attachments.requestId, r.id));
  await tx.delete(verificationTokens).where(eq(verificationTokens.requestId, r.id));
  await tx.delete(requestIdentifiers).where(eq(requestIdentifiers.requestId, r.id));
  await tx.update(letters).set({ html: Buffer.alloc(0) }).where(eq(letters.requestId, r.id));
  await tx.update(outbox)
    .set({ recipient: "", subject: null, text: "", html: null, lastError: null })
    .where(and(eq(outbox.requestId, r.id), ne(outbox.status, "pending")));
  await tx.delete(requestNotes).where(eq(requestNotes.requestId, r.id));
  await tx.update(infoRequests).set({ question: "" }).where(eq(infoRequests.requestId, r.id));
  for (const a of readyArchives) {
    await tx.update(archives).set({ status: "purged", filePath: null, purgedAt: now, purgeReason: "expired" }).where(eq(archives.id, a.id));
    if (a.filePath) files.push(a.filePath);
  }
  // The certificate named the person; its SHA-256 (also in the journal) stays as proof of what was sent.
  await tx.update(erasurePlans).set({ certificate: null }).where(eq(erasurePlans.requestId, r.id));
  await forgetRectificationValues(tx, r.id);
  if (counts.gathered) {
    await purgeRequest(tx, r.id);
  }
  return { counts, files };
}

async function purgeRequests(db: Db, rows: { id: number }[], now: Date, dry: boolean, why: { reason: "unverified"; graceDays: number } | { reason: "closed"; retentionDays: number }): Promise<RequestPurgeCounts> {
  const total = emptyCounts();
  const add = (c: Omit<RequestPurgeCounts, "purge">) => {
    total.purge++;
    for (const k of Object.keys(c) as (keyof typeof c)[]) total[k] += c[k];
  };
  for (const { id } of rows) {
    if (dry) {
      const r = await first(db.select().from(requests).where(eq(requests.id, id)));
      if (r && !r.identityPurgedAt) add((await purgeRequestData(db, r, now, true)).counts);
      continue;
    }
    // Still unpurged once this transaction holds the row: two runs purge and audit once.
    const done = await withTx(db, async (tx) => {
        const [r] = await forUpdate(tx, tx.select().from(requests).where(eq(requests.id, id)).limit(1));
        if (!r || r.identityPurgedAt) return null;
        const result = await purgeRequestData(tx, r, now, false);
        await addEvent(tx, r.id, { db, now, actor: { kind: "system" } }, "identity_purged", { ...why });
        await audit.append(tx, { actor: { kind: "system" }, action: "retention.request_purged", reference: r.reference, details: { ...why, ...result.counts }, at: now });
        return result;
      },
    );
    if (!done) continue;
    // After the commit: a blob whose row is gone is never read again (a failure to delete is logged and swept later).
    await discardBlobs({ keys: done.files, prefixes: [gatheredPrefix(id)] });
    add(done.counts);
  }
  return total;
}

const restrictionInForce = (db: DbOrTx) =>
  notExists(db.select({ id: restrictions.id }).from(restrictions).where(and(eq(restrictions.requestId, requests.id), isNull(restrictions.liftedAt))));

async function unverifiedDue(db: Db, now: Date, graceDays: number) {
  const cutoff = new Date(now.getTime() - graceDays * DAY);
  return await db
    .select({ id: requests.id })
    .from(requests)
    .where(and(eq(requests.status, "expired_unverified"), isNull(requests.identityPurgedAt), isNotNull(requests.closedAt), lt(requests.closedAt, cutoff)))
    .orderBy(asc(requests.id));
}

async function closedDue(db: Db, now: Date, retentionDays: number) {
  const cutoff = new Date(now.getTime() - retentionDays * DAY);
  return await db
    .select({ id: requests.id })
    .from(requests)
    .where(
      and(
        inArray(requests.status, [...CLOSED_STATUSES]),
        isNull(requests.identityPurgedAt),
        isNotNull(requests.closedAt),
        lt(requests.closedAt, cutoff),
        // A restriction in force (Art. 18) means "store, do not otherwise process": kept until it is lifted.
        restrictionInForce(db),
      ),
    )
    .orderBy(asc(requests.id));
}

// ---------------------------------------------------------------------------
// Recordings

async function purgeRecordings(db: Db, connector: Connector, now: Date, dry: boolean, check: () => void): Promise<RecordingCounts> {
  const cap = connector.retention!;
  const { operations, days } = await datasetRetention(db, connector, cap.dataset);
  const counts: RecordingCounts = { connectorId: connector.id, operations, retentionDays: days, purge: 0, held: 0, restricted: 0, undated: 0, failed: 0 };
  if (days === null) return counts;
  const before = new Date(now.getTime() - days * DAY);
  const { expired, undated } = await cap.listExpired(before);
  counts.undated = undated;
  const candidates: string[] = [];
  const holds = await activeHolds(db, connector.id);
  for (const rec of expired) {
    if (holds.has(rec.key)) counts.held++;
    else if (rec.restricted) counts.restricted++;
    else candidates.push(rec.key);
  }
  if (dry) {
    counts.purge = candidates.length;
    return counts;
  }
  for (let i = 0; i < candidates.length; i += RECORDING_BATCH) {
    check();
    // A hold set since the listing wins: read again before each batch.
    const heldNow = await activeHolds(db, connector.id);
    const batch = candidates.slice(i, i + RECORDING_BATCH).filter((k) => {
      if (!heldNow.has(k)) return true;
      counts.held++;
      return false;
    });
    const r = await cap.deleteExpired(batch, before);
    counts.purge += r.deleted;
    counts.failed += r.failed;
    counts.restricted += r.kept;
  }
  return counts;
}

// ---------------------------------------------------------------------------
// The run

/** A run claimed by this process, or null when another one holds the lock. */
async function claimRun(db: Db, now: Date, trigger: "worker" | "cli"): Promise<number | null> {
  const lease = env().JOB_LEASE_SECONDS * 1000;
  try {
    return await claimIn(db, now, trigger, lease);
  } catch (error) {
    // The partial unique index refused a second running row (a claim raced past the check): another run holds the lock.
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

async function claimIn(db: Db, now: Date, trigger: "worker" | "cli", lease: number): Promise<number | null> {
  return await withTx(db, async (tx) => {
      // A run whose process died hands over once its lease has passed.
      await tx.update(retentionRuns)
        .set({ status: "abandoned", finishedAt: now })
        .where(and(eq(retentionRuns.status, "running"), lt(retentionRuns.leaseUntil, now)));
      if ((await first(tx.select({ id: retentionRuns.id }).from(retentionRuns).where(eq(retentionRuns.status, "running"))))) return null;
      return (await first(tx
        .insert(retentionRuns)
        .values({ trigger, status: "running", startedAt: now, leaseUntil: new Date(now.getTime() + lease) })
        .returning({ id: retentionRuns.id })))!.id;
    },
  );
}

/** Whether a run finished today (Paris): the workers run the job once a day. */
export async function ranToday(db: DbOrTx, now: Date): Promise<boolean> {
  const last = await first(db
    .select({ startedAt: retentionRuns.startedAt })
    .from(retentionRuns)
    .where(eq(retentionRuns.status, "done"))
    .orderBy(sql`${retentionRuns.startedAt} desc`)
    .limit(1));
  return !!last && parisDate(last.startedAt) === parisDate(now);
}

export class RetentionAlreadyRunning extends DomainError {
  constructor() {
    super("conflict", { code: "already_running" });
  }
}

/**
 * Runs the retention job now. A dry run changes nothing and takes no lock;
 * a real run takes the lock (or throws RetentionAlreadyRunning) and audits
 * each purge, then the run's counts.
 */
export async function runRetention({ db, registry, now = new Date(), dryRun = false, trigger }: { db: Db; registry: Pick<Registry, "list">; now?: Date; dryRun?: boolean; trigger: "worker" | "cli" }): Promise<RetentionReport> {
  const graceDays = env().UNVERIFIED_PURGE_GRACE_DAYS;
  const retentionDays = await ticketRetentionDays(db);
  const runId = dryRun ? null : (await claimRun(db, now, trigger));
  if (!dryRun && runId === null) throw new RetentionAlreadyRunning();
  if (runId !== null) faultPoint("retention-run-claimed");
  const lease = env().JOB_LEASE_SECONDS * 1000;
  const keeper =
    runId === null
      ? null
      : keepLease(
          async () =>
            (changes(await db
              .update(retentionRuns)
              .set({ leaseUntil: new Date(Date.now() + lease) })
              .where(and(eq(retentionRuns.id, runId), eq(retentionRuns.status, "running"))))) === 1,
          Math.max(1000, lease / 3),
        );
  const check = () => keeper?.check("retention run");
  try {
    const recordings: RecordingCounts[] = [];
    for (const connector of registry.list()) {
      if (!connector.retention) continue;
      try {
        recordings.push(await purgeRecordings(db, connector, now, dryRun, check));
      } catch (error) {
        if (error instanceof Error && error.name === "LeaseLost") throw error;
        // One source down does not stop the others; the run says it failed there.
        log.warn("retention.recordings_failed", { connector: connector.id, error: error instanceof Error ? error.name : "unknown" });
        recordings.push({ connectorId: connector.id, operations: [], retentionDays: null, purge: 0, held: 0, restricted: 0, undated: 0, failed: -1 });
      }
    }
    check();
    const unverified = { ...(await purgeRequests(db, await unverifiedDue(db, now, graceDays), now, dryRun, { reason: "unverified", graceDays })), graceDays };
    check();
    const closed = { ...(await purgeRequests(db, await closedDue(db, now, retentionDays), now, dryRun, { reason: "closed", retentionDays })), retentionDays };
    const report: RetentionReport = { dryRun, recordings, unverified, closed };
    if (runId !== null) {
      const counts = reportCounts(report);
      await withTx(db, async (tx) => {
          for (const r of recordings)
            if (r.purge > 0 || r.failed !== 0)
              await audit.append(tx, { actor: { kind: "system" }, action: "retention.recordings_purged", details: { ...r }, at: now });
          await audit.append(tx, { actor: { kind: "system" }, action: "retention.run", details: { run: runId, trigger, ...counts }, at: now });
          await tx.update(retentionRuns)
            .set({ status: "done", finishedAt: new Date(), counts })
            .where(and(eq(retentionRuns.id, runId), eq(retentionRuns.status, "running")));
        },
      );
      log.info("retention.run", { recordings: recordings.reduce((s, r) => s + r.purge, 0), unverified: unverified.purge, closed: closed.purge });
    }
    return report;
  } catch (error) {
    if (runId !== null)
      await db.update(retentionRuns)
        .set({ status: "failed", finishedAt: new Date(), error: error instanceof Error ? error.name : "unknown" })
        .where(and(eq(retentionRuns.id, runId), eq(retentionRuns.status, "running")));
    throw error;
  } finally {
    keeper?.stop();
  }
}

/** The counts as stored and audited: numbers only. */
function reportCounts(report: RetentionReport): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of report.recordings) out[`recordings:${r.connectorId}`] = { purge: r.purge, held: r.held, restricted: r.restricted, undated: r.undated, failed: r.failed, retentionDays: r.retentionDays ?? 0 };
  out.unverified = { ...report.unverified };
  out.closed = { ...report.closed };
  return out;
}

/**
 * The workers' daily run: nothing when a run already finished today or
 * another process is running it. Returns whether it ran.
 */
export async function runDailyRetention({ db, registry, now = new Date() }: { db: Db; registry: Pick<Registry, "list">; now?: Date }): Promise<boolean> {
  if ((await ranToday(db, now))) return false;
  try {
    await runRetention({ db, registry, now, trigger: "worker" });
    // Blobs whose delete failed after their rows went (logged then): gone by the next day.
    await sweepOrphanBlobs({ db, now }).catch((error: unknown) => log.error("blob.sweep_failed", { code: (error as { code?: string }).code ?? "unknown" }));
    return true;
  } catch (error) {
    if (error instanceof RetentionAlreadyRunning) return false;
    throw error;
  }
}

/** The report as the CLI prints it: one line per category, counts only. */
export function reportLines(report: RetentionReport): string[] {
  const lines = [report.dryRun ? "dry run: nothing deleted; counts are what a run would purge now" : "run: purged"];
  for (const r of report.recordings) {
    if (r.failed === -1) lines.push(`recordings connector=${r.connectorId} failed: the source could not be read`);
    else if (r.retentionDays === null) lines.push(`recordings connector=${r.connectorId} skipped: the register gives no duration for this dataset`);
    else lines.push(`recordings connector=${r.connectorId} purge=${r.purge} held=${r.held} restricted=${r.restricted} undated=${r.undated} failed=${r.failed} retention-days=${r.retentionDays} operations=${r.operations.join(",")}`);
  }
  const details = (c: RequestPurgeCounts) =>
    `attachments=${c.attachments} identifiers=${c.identifiers} tokens=${c.tokens} letters=${c.letters} outbox=${c.outbox} notes=${c.notes} questions=${c.questions} gathered=${c.gathered} archives=${c.archives} certificates=${c.certificates} rectifications=${c.rectifications}`;
  lines.push(`unverified-requests purge=${report.unverified.purge} grace-days=${report.unverified.graceDays} ${details(report.unverified)}`);
  lines.push(`closed-requests purge=${report.closed.purge} retention-days=${report.closed.retentionDays} ${details(report.closed)}`);
  return lines;
}
