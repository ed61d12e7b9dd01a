import { desc, eq } from "drizzle-orm";
import { holdFor, released } from "./referrals.server";
import { rectifications, type RectificationRow } from "../../db/schema/rights";
import { staff } from "../../db/schema/staff";
import * as emails from "../../emails";
import type { Registry } from "../connectors/registry";
import type { ExportRecord, FieldChange, FieldValue, Match } from "../connectors/types";
import { decrypt, encrypt } from "../utils/crypto.server";
import type { DbOrTx } from "../utils/db.server";
import { scrub } from "../utils/log.server";
import * as audit from "./audit.server";
import { requireRole } from "./authz";
import type { Ctx } from "./context";
import { notifyRecipients, recordLine } from "./recipients.server";
import { businessSender } from "../utils/organisation.server";
import { DomainError } from "./errors";
import { loadTicket } from "./ticket-access.server";
import { readGathered } from "./gather-store.server";
import { discardBlobs } from "../utils/blob-store.server";
import { reach } from "./contacts.server";
import { refreshAfterChange, requireAnswerable } from "./gather.server";
import { notifyRequester, unreachable } from "./letters.server";
import { addEvent } from "./requests.server";
import { brand } from "../../emails/layout";
import { withTx, first } from "../utils/db.server";

/**
 * Rectification (Art. 16): staff prepare a change set — per connector
 * record, field, current value, new value — from what the person said was
 * wrong or from the discrepancy report; a DPO reads the before/after diff
 * and approves; the changes go through each connector's `rectify`, are read
 * back to confirm, the recipients are told (Art. 19) and so is the person.
 */

export type Change = { connectorId: string; connectorLabel: string; dataset: string; key: string; field: string; from: FieldValue; to: FieldValue };
type Stored = { changes: Change[]; matches: Match[] };

const aad = (requestId: number) => `rectification:${requestId}`;

async function requireRectifiable(ctx: Ctx, reference: string, ...roles: ("dpo" | "support")[]) {
  const me = requireRole(ctx.actor, ...roles);
  const r = await loadTicket(ctx.db, me, reference);
  if (!r.rights.includes("rectification")) throw new DomainError("illegal_transition", { code: "no_rectification_right" });
  if (!["received", "in_progress", "ready"].includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "rectification" });
  return { me, r };
}

export type EditableField = { token: string; connectorId: string; connectorLabel: string; dataset: string; key: string; field: string; value: FieldValue };

/** A field's identity in a form: connector, dataset, record key and field name (no personal value). */
export const fieldToken = (f: { connectorId: string; dataset: string; key: string; field: string }) => Buffer.from(JSON.stringify([f.connectorId, f.dataset, f.key, f.field])).toString("base64url");

/**
 * The fields the person gave us (providedBySubject), as gathered, one row per
 * record and field: what a correction can change. Personal data: callers
 * read it through tickets.auditedRead.
 */
export async function editableFields(db: DbOrTx, requestId: number, registry: Pick<Registry, "get">): Promise<EditableField[]> {
  return fieldsOf(await rectifiable(db, requestId, (await readGathered(db, requestId)).records, registry), registry);
}

/** Data held for a client (as its processor) is rectified only on that client's instruction (Art. 28(3)(a), 29). */
async function rectifiable<T extends { connectorId: string; dataset: string }>(db: DbOrTx, requestId: number, records: T[], registry: Pick<Registry, "get">): Promise<T[]> {
  return released(records, await holdFor(db, requestId, "rectify", (id) => registry.get(id)?.kind));
}

function fieldsOf(records: Awaited<ReturnType<typeof readGathered>>["records"], registry: Pick<Registry, "get">): EditableField[] {
  const out: EditableField[] = [];
  for (const rec of records) {
    const label = registry.get(rec.connectorId)?.label ?? rec.connectorId;
    for (const field of rec.providedBySubject) {
      const value = rec.fields[field];
      if (value === undefined || (value !== null && typeof value === "object")) continue;
      out.push({ token: fieldToken({ connectorId: rec.connectorId, dataset: rec.dataset, key: rec.key, field }), connectorId: rec.connectorId, connectorLabel: label, dataset: rec.dataset, key: rec.key, field, value });
    }
  }
  return out;
}

/**
 * Stores a change set from `wanted` (field token → new value; an empty
 * string means "no change"). Values are compared with what was gathered:
 * only real changes are kept. Replaces a change set not yet approved.
 */
export async function prepareRectification({ ctx, reference, wanted, registry }: { ctx: Ctx; reference: string; wanted: Record<string, string>; registry: Pick<Registry, "get"> }) {
  const { me, r } = await requireRectifiable(ctx, reference, "dpo", "support");
  await requireAnswerable(ctx.db, r.id);
  // Decrypted once: the fields to compare with, and the matches the changes will go through.
  const gathered = await readGathered(ctx.db, r.id);
  const fields = new Map(fieldsOf(await rectifiable(ctx.db, r.id, gathered.records, registry), registry).map((f) => [f.token, f]));
  const changes: Change[] = [];
  for (const [token, raw] of Object.entries(wanted)) {
    const to = raw.trim();
    if (!to) continue;
    const f = fields.get(token);
    if (!f) throw new DomainError("invalid_input", { code: "unknown_field" });
    if (to.length > 500) throw new DomainError("invalid_input", { code: "value_too_long" });
    // Checked and written the way the system holds it now, when typed, not at the DPO's approval (rectify checks again).
    const checked = registry.get(f.connectorId)?.checkValue?.(f.dataset, f.field, to) ?? { ok: true as const, value: to };
    if (!checked.ok) throw new DomainError("invalid_input", { code: `rectify_${checked.problem}`, field: f.field });
    if (String(f.value ?? "") === checked.value) continue;
    changes.push({ connectorId: f.connectorId, connectorLabel: f.connectorLabel, dataset: f.dataset, key: f.key, field: f.field, from: f.value, to: checked.value });
  }
  if (!changes.length) throw new DomainError("invalid_input", { code: "no_changes" });
  const gatheredMatches = gathered.matches;
  const matches = changes.map(
    (c) => gatheredMatches.find((m) => m.connectorId === c.connectorId && m.dataset === c.dataset && m.key === c.key) ?? { connectorId: c.connectorId, dataset: c.dataset, key: c.key, matchedOn: "email" as const },
  );
  return await withTx(ctx, async (tx) => {
    const open = await first(tx.select().from(rectifications).where(eq(rectifications.requestId, r.id)).orderBy(desc(rectifications.id)));
    if (open?.status === "prepared") await tx.update(rectifications).set({ status: "cancelled" }).where(eq(rectifications.id, open.id));
    const row = (await first(tx
      .insert(rectifications)
      .values({ requestId: r.id, status: "prepared", changes: encrypt(Buffer.from(JSON.stringify({ changes, matches } satisfies Stored)), aad(r.id)), preparedBy: me.id, preparedAt: ctx.now })
      .returning()))!;
    await addEvent(tx, r.id, ctx, "rectification_prepared", { changes: changes.length });
    await audit.append(tx, { actor: me, action: "rectification.prepared", reference, details: { id: row.id, changes: changes.length, fields: changes.map((c) => `${c.connectorId}:${c.dataset}.${c.field}`) }, at: ctx.now });
    return row;
  });
}

export type RectificationView = {
  id: number;
  status: RectificationRow["status"];
  preparedBy: string | null;
  preparedAt: Date;
  approvedBy: string | null;
  appliedAt: Date | null;
  error: string | null;
  changes: Change[];
};

/**
 * Retention (docs/retention.md): a closed request's change sets keep which
 * field of which record changed, and lose the values before and after.
 * Returns how many change sets still held values.
 */
export async function forgetRectificationValues(tx: DbOrTx, requestId: number, dry = false): Promise<number> {
  let n = 0;
  for (const row of (await tx.select().from(rectifications).where(eq(rectifications.requestId, requestId)))) {
    const stored = JSON.parse(decrypt(row.changes, aad(requestId)).toString()) as Stored;
    if (!stored.changes.some((c) => c.from !== null || c.to !== null) && stored.matches.length === 0) continue;
    n++;
    if (dry) continue;
    const kept: Stored = { changes: stored.changes.map((c) => ({ ...c, from: null, to: null })), matches: [] };
    await tx.update(rectifications).set({ changes: encrypt(Buffer.from(JSON.stringify(kept)), aad(requestId)) }).where(eq(rectifications.id, row.id));
  }
  return n;
}

/** The latest change set with its diff (personal data: read through tickets.auditedRead). */
export async function rectificationView(db: DbOrTx, requestId: number): Promise<RectificationView | null> {
  const row = await first(db.select().from(rectifications).where(eq(rectifications.requestId, requestId)).orderBy(desc(rectifications.id)));
  if (!row) return null;
  const stored = JSON.parse(decrypt(row.changes, aad(requestId)).toString()) as Stored;
  const name = async (id: number | null) => (id ? ((await first(db.select({ n: staff.displayName }).from(staff).where(eq(staff.id, id))))?.n ?? null) : null);
  return { id: row.id, status: row.status, preparedBy: await name(row.preparedBy), preparedAt: row.preparedAt, approvedBy: await name(row.approvedBy), appliedAt: row.appliedAt, error: row.error, changes: stored.changes };
}

/**
 * A DPO approves the diff; the changes are applied at once, connector by
 * connector, then read back. Anything not confirmed marks the change set
 * failed (with a scrubbed reason) — connectors check the stored value is
 * still the approved "from", so applying again after a fix is safe.
 */
export async function approveRectification({ ctx, reference, registry }: { ctx: Ctx; reference: string; registry: Registry }) {
  const { me, r } = await requireRectifiable(ctx, reference, "dpo");
  // The person is told the new values: only at a contact proven for this request, checked before anything changes.
  if (!(await reach(ctx.db, r, { disclosure: true }))) throw unreachable(true);
  const row = await first(ctx.db.select().from(rectifications).where(eq(rectifications.requestId, r.id)).orderBy(desc(rectifications.id)));
  if (!row || !["prepared", "failed"].includes(row.status)) throw new DomainError("illegal_transition", { code: "no_rectification_to_approve" });
  const stored = JSON.parse(decrypt(row.changes, aad(r.id)).toString()) as Stored;
  await withTx(ctx, async (tx) => {
    await tx.update(rectifications).set({ status: "approved", approvedBy: me.id, approvedAt: ctx.now }).where(eq(rectifications.id, row.id));
    await audit.append(tx, { actor: me, action: "rectification.approved", reference, details: { id: row.id, changes: stored.changes.length }, at: ctx.now });
  });

  let error: string | null = null;
  const byConnector = new Map<string, number[]>();
  stored.changes.forEach((c, i) => (byConnector.get(c.connectorId) ?? byConnector.set(c.connectorId, []).get(c.connectorId)!).push(i));
  for (const [connectorId, indexes] of byConnector) {
    const connector = registry.get(connectorId);
    try {
      if (!connector?.rectify) throw new Error(`${connector?.label ?? connectorId} cannot rectify`);
      const changes: FieldChange[] = indexes.map((i) => ({ match: stored.matches[i]!, field: stored.changes[i]!.field, from: stored.changes[i]!.from, to: stored.changes[i]!.to }));
      const matches = [...new Map(changes.map((c) => [`${c.match.dataset}\u0000${c.match.key}`, c.match])).values()];
      await connector.rectify(matches, changes);
      // Read back: the new values must be what the system now holds.
      const readBack: ExportRecord[] = [];
      await connector.export(matches, { record: async (rec) => void readBack.push(rec), file: async () => {}, anomaly: async () => {} });
      for (const c of changes) {
        const now = readBack.find((rec) => rec.dataset === c.match.dataset && rec.key === c.match.key)?.fields[c.field];
        if (String(now ?? "") !== String(c.to ?? "")) throw new Error(`${connector.label}: ${c.match.dataset}.${c.field} did not take the new value`);
      }
    } catch (e) {
      error = scrub(e instanceof Error ? e.message : String(e));
      break;
    }
  }

  const at = ctx.now;
  const withdrawn = await withTx(ctx, async (tx) => {
    if (error) {
      await tx.update(rectifications).set({ status: "failed", error }).where(eq(rectifications.id, row.id));
      await addEvent(tx, r.id, ctx, "rectification_failed", {});
      await audit.append(tx, { actor: me, action: "rectification.failed", reference, details: { id: row.id }, at });
      return [];
    }
    await tx.update(rectifications).set({ status: "applied", appliedAt: at, error: null }).where(eq(rectifications.id, row.id));
    await addEvent(tx, r.id, ctx, "rectification_applied", { changes: stored.changes.length });
    await audit.append(tx, { actor: me, action: "rectification.applied", reference, details: { id: row.id, changes: stored.changes.length }, at });

    const changed = stored.changes.map((c) => ({ system: c.connectorLabel, field: c.field, to: c.to === null ? "" : String(c.to) }));
    // The new values are the person's data: to a proven contact, whichever channel it is (an SMS points to the letter).
    await notifyRequester(tx, ctx, r, {
      kind: "rectification",
      template: "rectification_done",
      message: emails.rectificationDone({ reference, changes: changed }, r.locale),
      sms: (l) => (r.locale === "en" ? `${brand()}: your data was corrected (request ${reference}). What changed: ${l}` : `${brand()} : vos données ont été rectifiées (demande ${reference}). Ce qui a changé : ${l}`),
      disclosure: true,
    });
    // Art. 19: each company told about its own records, and only the fields changed in them.
    const sender = businessSender();
    const refOf = (i: number) => ({ connectorId: stored.changes[i]!.connectorId, dataset: stored.matches[i]!.dataset, key: stored.matches[i]!.key });
    const id = (x: { connectorId: string; dataset: string; key: string }) => JSON.stringify([x.connectorId, x.dataset, x.key]);
    await notifyRecipients(tx, {
      requestId: r.id,
      reference,
      kind: "rectification",
      records: stored.changes.map((_, i) => refOf(i)),
      registry,
      actor: me,
      at,
      render: (g) => {
        const mine = new Set(g.records.map(id));
        const fields = [...new Set(stored.changes.filter((_, i) => mine.has(id(refOf(i)))).map((c) => c.field))];
        return emails.recipientRectificationNotice({ reference, recipient: g.client.name, records: g.records.map(recordLine), fields, sender });
      },
    });
    // What was gathered, and any archive built from it, now holds the old values: search those systems again.
    return await refreshAfterChange(tx, ctx, r, [...byConnector.keys()], "rectification");
  });
  await discardBlobs({ keys: withdrawn });
  if (error) throw new DomainError("conflict", { code: "rectification_failed" });
}
