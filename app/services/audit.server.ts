import { asc, desc, sql } from "drizzle-orm";
import { createHmac } from "node:crypto";
import { z } from "zod";
import { auditLog, type AuditRow } from "../../db/schema/audit";
import { derivedKey } from "../utils/crypto.server";
import type { DbOrTx } from "../utils/db.server";
import type { Actor } from "./context";

/** The closed list of things the audit trail records. */
export const AuditAction = z.enum([
  "ticket.filed",
  "ticket.verified",
  "ticket.expired",
  "ticket.recorded",
  "ticket.viewed",
  "ticket.identity_viewed",
  "ticket.assigned",
  "ticket.started",
  "ticket.info_requested",
  "ticket.requester_replied",
  "ticket.extended",
  "ticket.refused",
  "ticket.duplicate",
  "ticket.cancelled",
  "ticket.ready",
  "ticket.completed",
  "ticket.note_added",
  "staff.created",
  "staff.login",
  "staff.login_failed",
  "staff.logout",
  "staff.password_changed",
  "staff.totp_enabled",
  "staff.deactivated",
  "settings.updated",
  "register.updated",
  "gather.started",
  "gather.connector_rerun",
  "gather.completed",
  "gather.failed",
  "record.viewed",
  "archive.built",
  "archive.downloaded",
  "archive.released",
  "report.exported",
  "reminders.sent",
  "audit.viewed",
  "audit.exported",
  "erasure.planned",
  "erasure.approved",
  "erasure.cancelled",
  "erasure.step.executed",
  "erasure.step.failed",
  "erasure.executed",
  "erasure.verified",
  "erasure.verification_failed",
  "erasure.certified",
  "erasure.copies_purged",
  "recipient.notified",
  "recipient.acknowledged",
  "rectification.prepared",
  "rectification.approved",
  "rectification.applied",
  "rectification.failed",
  "restriction.applied",
  "restriction.lifted",
  "objection.recorded",
  "suppression.checked",
  "suppression.exported",
]);
export type AuditAction = z.infer<typeof AuditAction>;

const GENESIS = "genesis";

function canonical(e: Omit<AuditRow, "hash" | "prevHash">): string {
  const sortKeys = (v: unknown): unknown =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
      : v;
  return JSON.stringify([e.seq, e.at.getTime(), e.actorKind, e.actorId, e.action, e.reference, sortKeys(e.details)]);
}

function chainHash(prevHash: string, entry: Omit<AuditRow, "hash" | "prevHash">): string {
  return createHmac("sha256", derivedKey("audit:v1")).update(prevHash).update("\n").update(canonical(entry)).digest("base64url");
}

function actorFields(actor: Actor): { actorKind: AuditRow["actorKind"]; actorId: number | null } {
  return actor.kind === "staff" ? { actorKind: "staff", actorId: actor.id } : { actorKind: actor.kind, actorId: null };
}

/**
 * Appends one entry, chained to the previous one. Call inside the transaction
 * of the change it records. `details` must never hold raw personal data.
 */
export function append(
  tx: DbOrTx,
  e: { actor: Actor; action: AuditAction; reference?: string | null; details?: Record<string, unknown>; at: Date },
): void {
  const last = tx.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1).get();
  const entry = {
    seq: (last?.seq ?? 0) + 1,
    at: e.at,
    ...actorFields(e.actor),
    action: AuditAction.parse(e.action),
    reference: e.reference ?? null,
    details: e.details ?? {},
  };
  const prevHash = last?.hash ?? GENESIS;
  tx.insert(auditLog).values({ ...entry, prevHash, hash: chainHash(prevHash, entry) }).run();
}

export type ChainCheck = { ok: true; count: number } | { ok: false; count: number; brokenAt: number };

/** Walks the whole chain in order; the first entry whose hash does not follow is reported. */
export function verifyChain(db: DbOrTx): ChainCheck {
  let prev = GENESIS;
  let expectedSeq = 1;
  let count = 0;
  const batch = 5_000;
  for (let from = 0; ; from += batch) {
    const rows = db.select().from(auditLog).orderBy(asc(auditLog.seq)).limit(batch).offset(from).all();
    for (const row of rows) {
      const { hash, prevHash, ...entry } = row;
      if (row.seq !== expectedSeq || prevHash !== prev || chainHash(prev, entry) !== hash) return { ok: false, count, brokenAt: row.seq };
      prev = hash;
      expectedSeq++;
      count++;
    }
    if (rows.length < batch) return { ok: true, count };
  }
}

export function entriesFor(db: DbOrTx, reference: string): AuditRow[] {
  return db.select().from(auditLog).where(sql`${auditLog.reference} = ${reference}`).orderBy(asc(auditLog.seq)).all();
}
