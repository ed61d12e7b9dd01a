import type { Localised } from "../connectors/types";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { RequestRow } from "../../db/schema/requests";
import { archiveWithholdings, WITHHOLDING_GROUNDS, WITHHOLDING_SCOPES, type WithholdingGround, type WithholdingRow, type WithholdingState } from "../../db/schema/withholdings";
import type { Registry } from "../connectors/registry";
import type { FieldValue } from "../connectors/types";
import type { DbOrTx } from "../utils/db.server";
import { portableFields } from "./archive.server";
import * as audit from "./audit.server";
import { requireRole } from "./authz";
import type { Ctx } from "./context";
import { DomainError } from "./errors";
import { readGathered, type StoredFile, type StoredRecord } from "./gather-store.server";
import { holdFor, released } from "./referrals.server";
import { staffNames } from "./staff.server";
import { OPEN_STATUSES } from "./tickets.server";
import { loadTicket } from "./ticket-access.server";
import { withTx, first, changes } from "../utils/db.server";

/**
 * Review before release (ADR 0016): staff read what an archive would hold,
 * and keep an item out of it — a record, one field of a record, or a file —
 * on a stated ground (Art. 15(4): the rights and freedoms of others; trade
 * secrets; another reason, explained). Support proposes, the DPO decides; a
 * pending proposal blocks the archive it applies to; an approved one is taken
 * out of every part of the archive (JSON, CSV, files, manifest) and the
 * letter says what kind of item, from which system, and why.
 */

export type ArchiveKind = "access" | "portability";
type Gathered = Awaited<ReturnType<typeof readGathered>>;
export type WithheldWhat = "record" | "field" | "file";

const recordId = (connectorId: string, dataset: string, key: string) => `${connectorId}\u0000${dataset}\u0000${key}`;
const whatOf = (w: Pick<WithholdingRow, "field" | "fileName">): WithheldWhat => (w.fileName ? "file" : w.field ? "field" : "record");
const appliesTo = (w: Pick<WithholdingRow, "scope">, kind: ArchiveKind) => w.scope === "both" || w.scope === kind;

/** Who reads the preview and proposes: those who prepare answers (agents take calls; administrators run accounts). */
const REVIEWERS = ["dpo", "support"] as const;

// ---------------------------------------------------------------------------
// The archive side: a filter on what was gathered, before the archive selects its content

/**
 * The approved withholdings for an archive of this kind. A proposal still
 * pending stops the build: an archive must not go out before the DPO has
 * decided what it leaves out.
 */
export async function approvedWithholdings(db: DbOrTx, requestId: number, kind: ArchiveKind): Promise<WithholdingRow[]> {
  const live = (await db
    .select()
    .from(archiveWithholdings)
    .where(and(eq(archiveWithholdings.requestId, requestId), inArray(archiveWithholdings.state, ["pending", "approved"])))
    .orderBy(asc(archiveWithholdings.id)))
    .filter((w) => appliesTo(w, kind));
  const pending = live.filter((w) => w.state === "pending").length;
  if (pending) throw new DomainError("conflict", { code: "withholdings_pending", pending });
  return live;
}

/** What the letter says of one item kept out: never its content, only its kind, its system and the ground. */
export type WithheldLine = { what: WithheldWhat; connectorId: string; dataset: string; ground: WithholdingGround; explanation: string | null };

/**
 * The gathered content without the withheld items, and the withholdings
 * that took something out of this archive (only those are told to the
 * person: one whose item a new search no longer finds, or that the archive
 * would not hold anyway, removed nothing). `fieldsOf` is the archive's own
 * choice of fields (all for access, the portability subset otherwise).
 */
export function applyWithholdings(gathered: Gathered, rows: WithholdingRow[], kind: ArchiveKind): { gathered: Gathered; applied: WithheldLine[] } {
  if (!rows.length) return { gathered, applied: [] };
  const fieldsOf = (r: StoredRecord): Record<string, FieldValue> => (kind === "access" ? r.fields : (portableFields(r) ?? {}));
  const records = new Map<string, WithholdingRow>();
  const fields = new Map<string, Map<string, WithholdingRow>>();
  const files = new Map<string, WithholdingRow>();
  for (const w of rows) {
    const id = recordId(w.connectorId, w.dataset, w.itemKey);
    const what = whatOf(w);
    if (what === "record") records.set(id, w);
    else if (what === "field") (fields.get(id) ?? fields.set(id, new Map()).get(id)!).set(w.field, w);
    else files.set(`${id}\u0000${w.fileName}`, w);
  }
  const applied = new Set<WithholdingRow>();
  const original = new Map(gathered.records.map((r) => [recordId(r.connectorId, r.dataset, r.key), fieldsOf(r)]));

  const outRecords: StoredRecord[] = [];
  for (const r of gathered.records) {
    const id = recordId(r.connectorId, r.dataset, r.key);
    const inArchive = original.get(id)!;
    const whole = records.get(id);
    if (whole) {
      if (Object.keys(inArchive).length) applied.add(whole);
      continue;
    }
    const dropped = fields.get(id);
    if (!dropped) {
      outRecords.push(r);
      continue;
    }
    for (const [name, w] of dropped) if (Object.hasOwn(inArchive, name)) applied.add(w);
    const keep = (name: string) => !dropped.has(name);
    const copy: StoredRecord = {
      ...r,
      fields: Object.fromEntries(Object.entries(r.fields).filter(([name]) => keep(name))),
      providedBySubject: r.providedBySubject.filter(keep),
      ...(r.portability && { portability: Object.fromEntries(Object.entries(r.portability).filter(([name]) => keep(name))) }),
    };
    outRecords.push(copy);
  }

  const outFiles: StoredFile[] = [];
  for (const f of gathered.files) {
    const id = recordId(f.connectorId, f.dataset, f.key);
    const w = files.get(`${id}\u0000${f.name}`) ?? records.get(id);
    if (!w) {
      outFiles.push(f);
      continue;
    }
    // Told as withheld only if this archive would have held it: access holds every file, portability the ones its record names.
    if (kind === "access" || Object.values(original.get(id) ?? {}).includes(f.name)) applied.add(w);
  }

  // The values we could not read are the record's content too.
  const anomalies = gathered.anomalies.filter((a) => {
    const id = recordId(a.connectorId, a.dataset, a.key);
    return !records.has(id) && !fields.get(id)?.has(a.field);
  });
  const matches = gathered.matches.filter((m) => !records.has(recordId(m.connectorId, m.dataset, m.key)));

  return {
    gathered: { records: outRecords, files: outFiles, anomalies, matches },
    applied: rows.filter((w) => applied.has(w)).map((w) => ({ what: whatOf(w), connectorId: w.connectorId, dataset: w.dataset, ground: w.ground, explanation: w.explanation })),
  };
}

// ---------------------------------------------------------------------------
// The preview

async function reviewable(ctx: Ctx, reference: string, kind: ArchiveKind) {
  const me = requireRole(ctx.actor, ...REVIEWERS);
  const r = await loadTicket(ctx.db, me, reference);
  // An archive answers the right asked for (as releaseArchive says), and only that one.
  if (!r.rights.includes(kind)) throw new DomainError("illegal_transition", { code: kind === "access" ? "no_access_right" : "no_portability_right" });
  return { me, r };
}

export type WithholdingView = {
  id: number;
  what: WithheldWhat;
  connectorId: string;
  dataset: string;
  key: string;
  field: string;
  fileName: string;
  scope: WithholdingRow["scope"];
  ground: WithholdingGround;
  explanation: string | null;
  note: string;
  state: WithholdingState;
  proposedBy: string | null;
  proposedAt: string;
  proposedById: number;
  decidedBy: string | null;
  decidedAt: string | null;
  /** a new search no longer finds the item: it applies to nothing until it does again */
  found: boolean;
};

export type PreviewRecord = { key: string; fields: { name: string; value: FieldValue }[]; allFields: string[] };
/** `title` and `fieldLabels`: what the readable copy calls them (the connector's presentation), so staff read the words the person will read. */
export type PreviewDataset = { connectorId: string; label: string; dataset: string; title: Localised | null; fieldLabels: Record<string, Localised>; records: PreviewRecord[] };
export type PreviewFile = { connectorId: string; label: string; dataset: string; key: string; name: string; size: number; contentType: string };

/** The archive the preview shows when the page names none: the one the request asks for, access first. Authorised like the preview. */
export async function defaultArchiveKind({ ctx, reference }: { ctx: Ctx; reference: string }): Promise<ArchiveKind> {
  const r = await loadTicket(ctx.db, ctx.actor, reference);
  return !r.rights.includes("access") && r.rights.includes("portability") ? "portability" : "access";
}

/**
 * What the archive of this kind would hold, before withholdings (each shown
 * with its state beside the item), and every withholding of the request.
 * Reading it is a back-office read of personal data: audited.
 */
export async function previewArchive({ ctx, reference, kind, registry }: { ctx: Ctx; reference: string; kind: ArchiveKind; registry: Pick<Registry, "get"> }) {
  const { me, r } = await reviewable(ctx, reference, kind);
  const kindOf = (connectorId: string) => registry.get(connectorId)?.kind;
  const labelOf = (connectorId: string) => registry.get(connectorId)?.label ?? connectorId;
  return await withTx(ctx, async (tx) => {
    const all = await readGathered(tx, r.id);
    // Data held for a client as its processor goes in only on its instruction: what is not released is not previewed either.
    const hold = await holdFor(tx, r.id, "export", kindOf);
    const records = released(all.records, hold);
    const files = released(all.files, hold);

    const datasets = new Map<string, PreviewDataset>();
    const kept = new Map<string, Record<string, FieldValue>>();
    for (const rec of records) {
      const fields = kind === "access" ? rec.fields : portableFields(rec);
      if (!fields || !Object.keys(fields).length) continue;
      kept.set(recordId(rec.connectorId, rec.dataset, rec.key), fields);
      const id = `${rec.connectorId}\u0000${rec.dataset}`;
      let d = datasets.get(id);
      if (!d) {
        const shown = registry.get(rec.connectorId)?.presentation?.[rec.dataset];
        const fieldLabels = Object.fromEntries(Object.entries(shown?.fields ?? {}).flatMap(([name, f]) => (f.label ? [[name, f.label]] : [])));
        datasets.set(id, (d = { connectorId: rec.connectorId, label: labelOf(rec.connectorId), dataset: rec.dataset, title: shown?.title ?? null, fieldLabels, records: [] }));
      }
      d.records.push({ key: rec.key, fields: Object.entries(fields).map(([name, value]) => ({ name, value })), allFields: Object.keys(fields) });
    }
    const shownFiles: PreviewFile[] = files
      .filter((f) => kind === "access" || Object.values(kept.get(recordId(f.connectorId, f.dataset, f.key)) ?? {}).includes(f.name))
      .map((f) => ({ connectorId: f.connectorId, label: labelOf(f.connectorId), dataset: f.dataset, key: f.key, name: f.name, size: f.size, contentType: f.contentType }));

    const present = new Set<string>();
    for (const rec of all.records) {
      present.add(recordId(rec.connectorId, rec.dataset, rec.key));
      for (const name of Object.keys(rec.fields)) present.add(`${recordId(rec.connectorId, rec.dataset, rec.key)}\u0000f:${name}`);
    }
    for (const f of all.files) present.add(`${recordId(f.connectorId, f.dataset, f.key)}\u0000file:${f.name}`);

    const rows = await tx.select().from(archiveWithholdings).where(eq(archiveWithholdings.requestId, r.id)).orderBy(asc(archiveWithholdings.id));
    const names = await staffNames(tx, rows.flatMap((w) => [w.proposedBy, w.decidedBy]));
    const withholdings: WithholdingView[] = rows.map((w) => {
      const id = recordId(w.connectorId, w.dataset, w.itemKey);
      const what = whatOf(w);
      return {
        id: w.id,
        what,
        connectorId: w.connectorId,
        dataset: w.dataset,
        key: w.itemKey,
        field: w.field,
        fileName: w.fileName,
        scope: w.scope,
        ground: w.ground,
        explanation: w.explanation,
        note: w.note,
        state: w.state,
        proposedBy: names.get(w.proposedBy) ?? null,
        proposedById: w.proposedBy,
        proposedAt: w.proposedAt.toISOString(),
        decidedBy: w.decidedBy ? (names.get(w.decidedBy) ?? null) : null,
        decidedAt: w.decidedAt?.toISOString() ?? null,
        found: present.has(what === "record" ? id : what === "field" ? `${id}\u0000f:${w.field}` : `${id}\u0000file:${w.fileName}`),
      };
    });
    const recordCount = [...datasets.values()].reduce((n, d) => n + d.records.length, 0);
    await audit.append(tx, { actor: me, action: "archive.previewed", reference: r.reference, details: { kind, records: recordCount, files: shownFiles.length }, at: ctx.now });
    return {
      reference: r.reference,
      kind,
      rights: r.rights,
      open: OPEN_STATUSES.includes(r.status),
      datasets: [...datasets.values()],
      files: shownFiles,
      withholdings,
      labels: Object.fromEntries([...new Set([...rows.map((w) => w.connectorId), ...records.map((x) => x.connectorId), ...files.map((x) => x.connectorId)])].map((c) => [c, labelOf(c)])),
      me: { id: me.id, role: me.role },
    };
  });
}

// ---------------------------------------------------------------------------
// Propose, decide, withdraw

export const ProposeInput = z
  .object({
    connectorId: z.string().min(1).max(200),
    dataset: z.string().min(1).max(200),
    key: z.string().min(1).max(500),
    field: z.string().max(200).default(""),
    fileName: z.string().max(500).default(""),
    scope: z.enum(WITHHOLDING_SCOPES),
    ground: z.enum(WITHHOLDING_GROUNDS),
    explanation: z.string().trim().max(1000).default(""),
    note: z.string().trim().max(2000).default(""),
  })
  .superRefine((v, c) => {
    if (v.field && v.fileName) c.addIssue({ code: "custom", path: ["field"], message: "one_item" });
    // The person is told why: "other" says it in words.
    if (v.ground === "other" && v.explanation.length < 10) c.addIssue({ code: "custom", path: ["explanation"], message: "explanation_required" });
  });
export type ProposeInput = z.infer<typeof ProposeInput>;

function openTicket(r: RequestRow) {
  if (!OPEN_STATUSES.includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "withholding" });
}

/**
 * Proposes keeping one gathered item out of the archive. Support's proposal
 * waits for the DPO; the DPO's own is recorded as proposed and approved by
 * them at once (ADR 0016: the DPO is the one who decides; a second DPO is
 * not always there).
 */
export async function proposeWithholding({ ctx, reference, input }: { ctx: Ctx; reference: string; input: ProposeInput }) {
  const me = requireRole(ctx.actor, ...REVIEWERS);
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    openTicket(r);
    const scopes: ArchiveKind[] = input.scope === "both" ? ["access", "portability"] : [input.scope];
    if (!scopes.every((s) => r.rights.includes(s))) throw new DomainError("invalid_input", { code: "withholding_scope" });
    const g = await readGathered(tx, r.id);
    const record = g.records.find((x) => x.connectorId === input.connectorId && x.dataset === input.dataset && x.key === input.key);
    const exists = input.fileName
      ? g.files.some((f) => f.connectorId === input.connectorId && f.dataset === input.dataset && f.key === input.key && f.name === input.fileName)
      : input.field
        ? !!record && Object.hasOwn(record.fields, input.field)
        : !!record || g.files.some((f) => f.connectorId === input.connectorId && f.dataset === input.dataset && f.key === input.key);
    if (!exists) throw new DomainError("invalid_input", { code: "withholding_unknown_item" });
    const live = await first(tx
      .select({ id: archiveWithholdings.id })
      .from(archiveWithholdings)
      .where(
        and(
          eq(archiveWithholdings.requestId, r.id),
          eq(archiveWithholdings.connectorId, input.connectorId),
          eq(archiveWithholdings.dataset, input.dataset),
          eq(archiveWithholdings.itemKey, input.key),
          eq(archiveWithholdings.field, input.field),
          eq(archiveWithholdings.fileName, input.fileName),
          inArray(archiveWithholdings.state, ["pending", "approved"]),
        ),
      ));
    if (live) throw new DomainError("conflict", { code: "withholding_exists" });
    const dpo = me.role === "dpo";
    const row = (await first(tx
      .insert(archiveWithholdings)
      .values({
        requestId: r.id,
        connectorId: input.connectorId,
        dataset: input.dataset,
        itemKey: input.key,
        field: input.field,
        fileName: input.fileName,
        scope: input.scope,
        ground: input.ground,
        explanation: input.ground === "other" ? input.explanation : null,
        note: input.note,
        state: dpo ? "approved" : "pending",
        proposedBy: me.id,
        proposedAt: ctx.now,
        ...(dpo && { decidedBy: me.id, decidedAt: ctx.now }),
      })
      .returning()))!;
    const details = { withholding: row.id, what: whatOf(row), connector: row.connectorId, dataset: row.dataset, scope: row.scope, ground: row.ground };
    await audit.append(tx, { actor: me, action: "withholding.proposed", reference: r.reference, details, at: ctx.now });
    if (dpo) await audit.append(tx, { actor: me, action: "withholding.approved", reference: r.reference, details: { ...details, byProposer: true }, at: ctx.now });
    return row;
  });
}

async function withholdingOf(tx: DbOrTx, r: RequestRow, id: number) {
  const w = await first(tx.select().from(archiveWithholdings).where(and(eq(archiveWithholdings.id, id), eq(archiveWithholdings.requestId, r.id))));
  if (!w) throw new DomainError("invalid_input", { code: "withholding_unknown" });
  return w;
}

/** The DPO approves or rejects a pending proposal; two decisions at once: the first wins, the second is told. */
export async function decideWithholding({ ctx, reference, id, approve }: { ctx: Ctx; reference: string; id: number; approve: boolean }) {
  const me = requireRole(ctx.actor, "dpo");
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    openTicket(r);
    const w = await withholdingOf(tx, r, id);
    const won = changes(await tx
      .update(archiveWithholdings)
      .set({ state: approve ? "approved" : "rejected", decidedBy: me.id, decidedAt: ctx.now })
      .where(and(eq(archiveWithholdings.id, w.id), eq(archiveWithholdings.state, "pending"))));
    if (won !== 1) throw new DomainError("conflict", { code: "withholding_decided" });
    await audit.append(tx, {
      actor: me,
      action: approve ? "withholding.approved" : "withholding.rejected",
      reference: r.reference,
      details: { withholding: w.id, what: whatOf(w), connector: w.connectorId, dataset: w.dataset, ground: w.ground },
      at: ctx.now,
    });
  });
}

/** Withdrawn by whoever proposed it, or the DPO: from then on the item goes in the archive again. */
export async function withdrawWithholding({ ctx, reference, id }: { ctx: Ctx; reference: string; id: number }) {
  const me = requireRole(ctx.actor, ...REVIEWERS);
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    openTicket(r);
    const w = await withholdingOf(tx, r, id);
    if (me.role !== "dpo" && w.proposedBy !== me.id) throw new DomainError("forbidden", { need: "proposer_or_dpo" });
    const won = changes(await tx
      .update(archiveWithholdings)
      .set({ state: "withdrawn", withdrawnBy: me.id, withdrawnAt: ctx.now })
      .where(and(eq(archiveWithholdings.id, w.id), inArray(archiveWithholdings.state, ["pending", "approved"]))));
    if (won !== 1) throw new DomainError("conflict", { code: "withholding_decided" });
    await audit.append(tx, { actor: me, action: "withholding.withdrawn", reference: r.reference, details: { withholding: w.id, what: whatOf(w), was: w.state }, at: ctx.now });
  });
}

/** For the ticket page: how many proposals wait for the DPO, per archive kind (no content). */
export async function pendingWithholdings(db: DbOrTx, requestId: number): Promise<Record<ArchiveKind, number>> {
  const rows = await db.select({ scope: archiveWithholdings.scope }).from(archiveWithholdings).where(and(eq(archiveWithholdings.requestId, requestId), eq(archiveWithholdings.state, "pending")));
  return { access: rows.filter((w) => appliesTo(w, "access")).length, portability: rows.filter((w) => appliesTo(w, "portability")).length };
}
