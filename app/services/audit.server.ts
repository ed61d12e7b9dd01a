import { asc, desc, sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createHmac } from "node:crypto";
import { z } from "zod";
import { auditLog, type AuditRow } from "../../db/schema/audit";
import { derivedKey } from "../utils/crypto.server";
import { advisoryXactLock, insertRow, inTransaction, preparedQuery, type DbOrTx, first, rawAll, withTx } from "../utils/db.server";
import type { Actor } from "./context";
import { AUDIT_ACTIONS } from "../../db/schema/enums";

/** The closed list of things the audit trail records (db/schema/enums.ts). */
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

const GENESIS = "genesis";

/**
 * audit_log as it is written: `details` is the exact text the HMAC covered,
 * stored as it is (the schema's JSON column would stringify it once more).
 */
const auditLogAsWritten = sqliteTable("audit_log", {
  seq: integer("seq").primaryKey(),
  at: integer("at", { mode: "timestamp_ms" }).notNull(),
  actorKind: text("actor_kind").notNull(),
  actorId: integer("actor_id"),
  action: text("action").notNull(),
  reference: text("reference"),
  details: text("details").notNull(),
  prevHash: text("prev_hash").notNull(),
  hash: text("hash").notNull(),
});

type EntryHead = { seq: number; at: number; actorKind: string; actorId: number | null; action: string; reference: string | null };

/**
 * Format 2 (docs/audit.md): the HMAC covers the bytes of `details` as stored,
 * so a row whose text changes in any way (a key repeated, keys reordered,
 * spaces added) no longer matches, even when it parses to the same value.
 * The "v2" label keeps these hashes apart from format 1's: no row of one
 * format can pass for the other.
 */
function hashV2(key: Buffer, prevHash: string, head: EntryHead, detailsText: string): string {
  return createHmac("sha256", key)
    .update(`v2\n${prevHash}\n`)
    .update(JSON.stringify([head.seq, head.at, head.actorKind, head.actorId, head.action, head.reference]))
    .update("\n")
    .update(detailsText)
    .digest("base64url");
}

/**
 * Format 1, written before byte-exact hashing: the HMAC covered the parsed
 * details with their keys sorted. Kept to check those rows; see `verifyChain`.
 */
function hashV1(key: Buffer, prevHash: string, head: EntryHead, details: unknown): string {
  const sortKeys = (v: unknown): unknown =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
      : v;
  const canonical = JSON.stringify([head.seq, head.at, head.actorKind, head.actorId, head.action, head.reference, sortKeys(details)]);
  return createHmac("sha256", key).update(prevHash).update("\n").update(canonical).digest("base64url");
}

function actorFields(actor: Actor): { actorKind: AuditRow["actorKind"]; actorId: number | null } {
  return actor.kind === "staff" ? { actorKind: "staff", actorId: actor.id } : { actorKind: actor.kind, actorId: null };
}

/**
 * Appends one entry, chained to the previous one. Call inside the transaction
 * of the change it records. `details` must never hold raw personal data.
 */
export async function append(
  tx: DbOrTx,
  e: { actor: Actor; action: AuditAction; reference?: string | null; details?: Record<string, unknown>; at: Date },
): Promise<void> {
  if (Number.isNaN(e.at.getTime())) throw new TypeError("audit entry without a valid time");
  // Reading the head and writing after it must be one step: in a transaction of its own when the caller has none.
  if (!inTransaction(tx)) return withTx(tx, (own) => append(own, e));
  // PostgreSQL: appends take turns until commit (SQLite's single writer already does). The seq stays the
  // primary key, so an append that skipped this would fail on a duplicate, never fork the chain.
  await advisoryXactLock(tx, AUDIT_CHAIN_LOCK);
  const last = (await first(lastEntry(tx).execute()));
  const head: EntryHead = {
    seq: (last?.seq ?? 0) + 1,
    at: e.at.getTime(),
    ...actorFields(e.actor),
    action: AuditAction.parse(e.action),
    reference: e.reference ?? null,
  };
  // One string is both hashed and stored: what the check reads back is what was signed.
  const detailsText = JSON.stringify(e.details ?? {});
  const prevHash = last?.hash ?? GENESIS;
  await insertRow(tx, auditLogAsWritten, { ...head, at: e.at, details: detailsText, prevHash, hash: hashV2(derivedKey("audit:v1"), prevHash, head, detailsText) });
}
/** pg_advisory_xact_lock key of the audit chain (any constant, the same in every process) */
const AUDIT_CHAIN_LOCK = 7_362_010;
const lastEntry = preparedQuery((db) => db.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1).prepare());

/**
 * Why a chain check stopped:
 * - missing: the entry at `brokenAt` is not there (deleted; the next one has a higher number);
 * - unexpected: an entry numbered below 1;
 * - unlinked: the entry does not name the previous entry's hash (moved, swapped or inserted);
 * - altered: the entry's content does not match its HMAC (edited);
 * - anchor: the entry at the anchor's number has another hash than the anchor;
 * - truncated: the log ends before the anchor's number (entries removed from the end).
 */
export type ChainBreak = "missing" | "unexpected" | "unlinked" | "altered" | "anchor" | "truncated";
export type ChainHead = { seq: number; hash: string };
/** `formatV1`: how many of the entries checked were written before byte-exact hashing (format 1). */
export type ChainCheck = { ok: true; count: number; head: ChainHead | null; formatV1: number } | { ok: false; count: number; brokenAt: number; reason: ChainBreak };

const VERIFY_BATCH = 5_000;

type RawEntry = {
  seq: number;
  at: number;
  actorKind: AuditRow["actorKind"];
  actorId: number | null;
  action: string;
  reference: string | null;
  details: string;
  prevHash: string;
  hash: string;
};

/**
 * A row written in format 1. Its HMAC covered the parsed, key-sorted details,
 * so the text itself must also be exactly what was written then (the JSON
 * serialiser's own output): a repeated key or an added space is refused.
 * Only the order of its keys is beyond proof (docs/audit.md).
 */
function isIntactV1(key: Buffer, prev: string, head: EntryHead, detailsText: string, hash: string): boolean {
  let details: unknown;
  try {
    details = JSON.parse(detailsText);
  } catch {
    return false;
  }
  return JSON.stringify(details) === detailsText && hashV1(key, prev, head, details) === hash;
}

/**
 * Walks the chain in order, a batch at a time (memory stays flat however long
 * the log); the first entry that does not follow is reported. Rows are read
 * raw: a tampered, unparseable value must be reported, not crash the check.
 *
 * Deleting the last entries leaves a shorter chain that is still valid: an
 * `anchor` (a head printed by an earlier check and kept elsewhere) catches
 * that. `since` starts from a head an earlier full check of this process
 * vouched for, checking only that it is still there and what follows it.
 */
export async function verifyChain(db: DbOrTx, opts: { anchor?: ChainHead; since?: ChainHead; batch?: number } = {}): Promise<ChainCheck> {
  const batch = opts.batch ?? VERIFY_BATCH;
  const { anchor, since } = opts;
  const key = derivedKey("audit:v1");
  let prev = GENESIS;
  let expectedSeq = 1;
  let count = 0;
  let formatV1 = 0;
  if (since) {
    const row = (await rawAll<{ hash: string }>(db, sql`select hash from audit_log where seq = ${since.seq}`))[0];
    if (!row) return { ok: false, count: 0, brokenAt: since.seq, reason: "missing" };
    if (row.hash !== since.hash) return { ok: false, count: 0, brokenAt: since.seq, reason: "anchor" };
    prev = since.hash;
    expectedSeq = since.seq + 1;
    count = since.seq;
  }
  let after = since ? since.seq : Number.MIN_SAFE_INTEGER;
  for (;;) {
    // Keyset pages: each batch is an index seek, where OFFSET would rescan everything before it.
    const rows = await rawAll<RawEntry>(db, sql`select seq, at, actor_kind as "actorKind", actor_id as "actorId", action, reference, details, prev_hash as "prevHash", hash
          from audit_log where seq > ${after} order by seq limit ${batch}`,
    );
    for (const row of rows) {
      if (row.seq !== expectedSeq) {
        return row.seq > expectedSeq
          ? { ok: false, count, brokenAt: expectedSeq, reason: "missing" }
          : { ok: false, count, brokenAt: row.seq, reason: "unexpected" };
      }
      if (row.prevHash !== prev) return { ok: false, count, brokenAt: row.seq, reason: "unlinked" };
      if (typeof row.details !== "string") return { ok: false, count, brokenAt: row.seq, reason: "altered" };
      const head: EntryHead = { seq: row.seq, at: Number(row.at), actorKind: row.actorKind, actorId: row.actorId, action: row.action, reference: row.reference };
      if (hashV2(key, prev, head, row.details) !== row.hash) {
        if (!isIntactV1(key, prev, head, row.details, row.hash)) return { ok: false, count, brokenAt: row.seq, reason: "altered" };
        formatV1++;
      }
      if (anchor && row.seq === anchor.seq && row.hash !== anchor.hash) return { ok: false, count, brokenAt: row.seq, reason: "anchor" };
      prev = row.hash;
      expectedSeq++;
      count++;
      after = row.seq;
    }
    if (rows.length < batch) break;
  }
  if (anchor && count < anchor.seq) return { ok: false, count, brokenAt: count + 1, reason: "truncated" };
  return { ok: true, count, head: count ? { seq: count, hash: prev } : null, formatV1 };
}

/** The newest entry's number and hash, to be kept outside the database as an anchor. */
export async function chainHead(db: DbOrTx): Promise<ChainHead | null> {
  return (await first(lastEntry(db).execute())) ?? null;
}

export async function entriesFor(db: DbOrTx, reference: string): Promise<AuditRow[]> {
  return await db.select().from(auditLog).where(sql`${auditLog.reference} = ${reference}`).orderBy(asc(auditLog.seq));
}
