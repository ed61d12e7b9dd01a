import { and, asc, count, desc, eq, gte, lt, lte, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { auditLog } from "../../db/schema/audit";
import type { Locale } from "../../db/schema/enums";
import { staff } from "../../db/schema/staff";
import { auditMessages } from "../i18n/admin/audit";
import * as audit from "./audit.server";
import { AuditAction } from "./audit.server";
import { requireRole } from "./authz";
import type { Actor, Ctx } from "./context";
import { addDays, parisDate, parseLocalDate } from "./deadlines";
import { instantToParisWallTime, parisLocalToInstant } from "../utils/paris-time";
import { csvField, csvText } from "../utils/csv";
import { referenceNumberEquals } from "../utils/sql-dialect.server";
import { staffNames } from "./staff.server";
import { withTx, first } from "../utils/db.server";

/**
 * The audit journal as people read it: a filtered, paginated list for the
 * administrators and the DPO, and a CSV export. Reading or exporting the
 * journal is itself recorded in it.
 */

export const JOURNAL_PAGE_SIZE = 50;

/** "ticket", "erasure"…: the part of an action before its first dot, for "all of them" filters. */
export const ACTION_GROUPS = [...new Set(AuditAction.options.map((a) => a.split(".")[0]!))];

const ActionFilter = z.union([AuditAction, z.string().regex(/^[a-z]+\.\*$/).refine((v) => ACTION_GROUPS.includes(v.slice(0, -2)))]);
const ActorFilter = z.union([z.enum(["staff", "requester", "system"]), z.string().regex(/^staff:[1-9]\d{0,8}$/)]);
const ReferenceFilter = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9-]{1,20}$/);
const DayFilter = z.string().refine((v) => {
  try {
    parseLocalDate(v);
    return true;
  } catch {
    return false;
  }
});

export type JournalFilters = {
  action?: string;
  reference?: string;
  actor?: string;
  from?: string;
  to?: string;
  page: number;
};
export type JournalField = "reference" | "from" | "to";

/**
 * Filters from a query string. Lists (action, actor) fall back to "any" on an
 * unknown value; typed fields (reference, dates) are reported as invalid so
 * the page can say so rather than silently widen the search.
 */
export function parseJournalFilters(params: URLSearchParams): { filters: JournalFilters; invalid: JournalField[] } {
  const raw = (k: string) => {
    const v = params.get(k)?.trim();
    return v ? v : undefined;
  };
  const invalid: JournalField[] = [];
  const typed = <T>(field: JournalField, schema: z.ZodType<T>): T | undefined => {
    const v = raw(field);
    if (v === undefined) return undefined;
    const parsed = schema.safeParse(v);
    if (!parsed.success) invalid.push(field);
    return parsed.success ? parsed.data : undefined;
  };
  const action = ActionFilter.safeParse(raw("action"));
  const actor = ActorFilter.safeParse(raw("actor"));
  const filters: JournalFilters = {
    action: action.success ? action.data : undefined,
    actor: actor.success ? actor.data : undefined,
    reference: typed("reference", ReferenceFilter),
    from: typed("from", DayFilter),
    to: typed("to", DayFilter),
    page: z.coerce.number().int().min(1).max(1_000_000).catch(1).parse(raw("page") ?? 1),
  };
  if (filters.from && filters.to && filters.to < filters.from) invalid.push("to");
  return { filters, invalid };
}

/** The journal is for administrators and the DPO; the operator's command line acts as "system". */
export function requireJournalReader(actor: Actor) {
  if (actor.kind === "system") return actor;
  return requireRole(actor, "admin", "dpo");
}

function referenceMatch(q: string): SQL {
  if (/^\d{1,6}$/.test(q)) return referenceNumberEquals(auditLog.reference, q);
  if (/^DSR-\d{4}-\d{6}$/.test(q)) return eq(auditLog.reference, q);
  return and(gte(auditLog.reference, q), lt(auditLog.reference, `${q}\uffff`))!;
}

function conditions(f: JournalFilters): SQL[] {
  const where: SQL[] = [];
  if (f.action?.endsWith(".*")) {
    // "ticket." up to "ticket/" ('/' follows '.'): a range the action index can seek.
    const prefix = f.action.slice(0, -1);
    where.push(gte(auditLog.action, prefix), lt(auditLog.action, `${prefix.slice(0, -1)}/`));
  } else if (f.action) where.push(eq(auditLog.action, f.action));
  if (f.reference) where.push(referenceMatch(f.reference));
  if (f.actor?.startsWith("staff:")) where.push(eq(auditLog.actorKind, "staff"), eq(auditLog.actorId, Number(f.actor.slice(6))));
  else if (f.actor) where.push(eq(auditLog.actorKind, f.actor as "staff" | "requester" | "system"));
  if (f.from) where.push(gte(auditLog.at, parisLocalToInstant(`${f.from}T00:00`)!));
  if (f.to) where.push(lt(auditLog.at, parisLocalToInstant(`${addDays(f.to, 1)}T00:00`)!));
  return where;
}

/** What the audit entry of a view or export says about the filters: the filters only, never more. */
function filterDetails(f: JournalFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["action", "reference", "actor", "from", "to"] as const) if (f[k]) out[k] = f[k]!;
  return out;
}

export type JournalRow = {
  seq: number;
  at: Date;
  actorKind: "staff" | "requester" | "system";
  actorId: number | null;
  actorName: string | null;
  action: string;
  reference: string | null;
  details: Record<string, unknown>;
};

/** What the page and the export read of an entry; details raw, since a tampered row may not parse. */
const ENTRY_COLUMNS = {
  seq: auditLog.seq,
  at: auditLog.at,
  actorKind: auditLog.actorKind,
  actorId: auditLog.actorId,
  action: auditLog.action,
  reference: auditLog.reference,
  details: sql<string>`${auditLog.details}`,
};

/** One page of the journal, newest first; the reading is recorded in the same transaction. */
export async function listJournal({ ctx, filters }: { ctx: Ctx; filters: JournalFilters }) {
  const me = requireJournalReader(ctx.actor);
  const where = and(...conditions(filters));
  const page = await withTx(ctx, async (tx) => {
    const total = (await first(tx.select({ n: count() }).from(auditLog).where(where)))!.n;
    const pages = Math.max(1, Math.ceil(total / JOURNAL_PAGE_SIZE));
    const current = Math.min(filters.page, pages);
    const rows = await tx
      .select(ENTRY_COLUMNS)
      .from(auditLog)
      .where(where)
      .orderBy(desc(auditLog.seq))
      .limit(JOURNAL_PAGE_SIZE)
      .offset((current - 1) * JOURNAL_PAGE_SIZE);
    const names = await staffNames(tx, rows.map((r) => (r.actorKind === "staff" ? r.actorId : null)));
    await audit.append(tx, { actor: me, action: "audit.viewed", details: { filters: filterDetails(filters), page: current, shown: rows.length }, at: ctx.now });
    return {
      total,
      page: current,
      pages,
      rows: rows.map((r): JournalRow => ({ ...r, actorName: r.actorId !== null ? (names.get(r.actorId) ?? null) : null, details: parseDetails(r.details) })),
    };
  });
  return page;
}

/** A tampered row may hold anything: show it as text rather than fail the page. */
function parseDetails(raw: string): Record<string, unknown> {
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { raw };
  }
}

/** Everyone who appears as a staff actor, for the actor filter (inactive accounts included: their entries stay). */
export async function journalActors(ctx: Ctx) {
  requireJournalReader(ctx.actor);
  return await ctx.db.select({ id: staff.id, displayName: staff.displayName, active: staff.active }).from(staff).orderBy(asc(staff.displayName), asc(staff.id));
}

export const JOURNAL_CSV_HEADER = ["seq", "at_utc", "at_paris", "actor_kind", "actor_id", "actor_name", "action", "action_label", "reference", "details", "prev_hash", "hash"] as const;
const EXPORT_BATCH = 2_000;

/**
 * The CSV export: the entries matching the filters up to the newest entry at
 * the time of asking (so that a long download is one consistent cut), oldest
 * first, with hashes so that entries can be checked against an anchor. The
 * export is audited before the first byte goes out; the rows are produced a
 * batch at a time, so memory stays flat however large the journal.
 */
export async function exportJournal({ ctx, filters, locale }: { ctx: Ctx; filters: JournalFilters; locale: Locale }) {
  const me = requireJournalReader(ctx.actor);
  const base = conditions(filters);
  const { upTo, rows } = await withTx(ctx, async (tx) => {
    const upTo = (await audit.chainHead(tx))?.seq ?? 0;
    const rows = (await first(tx.select({ n: count() }).from(auditLog).where(and(...base, lte(auditLog.seq, upTo)))))!.n;
    await audit.append(tx, { actor: me, action: "audit.exported", details: { filters: filterDetails(filters), rows, upTo, format: "csv" }, at: ctx.now });
    return { upTo, rows };
  });
  const labels = auditMessages[locale].actions as Record<string, string>;
  const db = ctx.db;
  async function* lines(): AsyncGenerator<string> {
    // A BOM so that spreadsheet software opens the UTF-8 accents correctly.
    yield `\uFEFF${JOURNAL_CSV_HEADER.join(",")}\r\n`;
    let after = 0;
    for (;;) {
      const batch = await db
        .select({ ...ENTRY_COLUMNS, prevHash: auditLog.prevHash, hash: auditLog.hash })
        .from(auditLog)
        .where(and(...base, sql`${auditLog.seq} > ${after}`, lte(auditLog.seq, upTo)))
        .orderBy(asc(auditLog.seq))
        .limit(EXPORT_BATCH);
      const names = await staffNames(db, batch.map((r) => (r.actorKind === "staff" ? r.actorId : null)));
      for (const r of batch) {
        const valid = !Number.isNaN(r.at.getTime());
        yield `${[
          csvField(r.seq),
          csvField(valid ? r.at.toISOString() : null),
          csvField(valid ? instantToParisWallTime(r.at) : null),
          csvField(r.actorKind),
          csvField(r.actorId),
          csvText(r.actorId !== null ? (names.get(r.actorId) ?? null) : null),
          csvField(r.action),
          csvField(labels[r.action] ?? r.action),
          csvField(r.reference),
          csvField(r.details),
          csvField(r.prevHash),
          csvField(r.hash),
        ].join(",")}\r\n`;
      }
      if (batch.length < EXPORT_BATCH) return;
      after = batch[batch.length - 1]!.seq;
    }
  }
  return { filename: `journal-audit-${parisDate(ctx.now)}.csv`, rows, upTo, lines };
}

/**
 * A full check costs about 10 µs an entry: nothing for a young journal, some
 * seconds for a few hundred thousand entries, too slow for every page view.
 * Up to FULL_CHECK_UP_TO entries the page checks everything every time. Past
 * that, it does one full check per process every FULL_CHECK_EVERY_MS and, in
 * between, checks that the head the last full check vouched for is unchanged
 * and that every newer entry follows it; the page says when the full check
 * ran. `npm run -s cli -- audit verify` always checks everything.
 */
const FULL_CHECK_UP_TO = 50_000;
const FULL_CHECK_EVERY_MS = 5 * 60_000;
let lastFull: { at: number; head: audit.ChainHead } | null = null;

export type ChainStatus = audit.ChainCheck & { fullCheckAt: Date };

export async function chainStatus(ctx: Ctx): Promise<ChainStatus> {
  requireJournalReader(ctx.actor);
  const now = ctx.now.getTime();
  if (lastFull && lastFull.head.seq > FULL_CHECK_UP_TO && now - lastFull.at >= 0 && now - lastFull.at < FULL_CHECK_EVERY_MS) {
    const check = await audit.verifyChain(ctx.db, { since: lastFull.head });
    if (check.ok) return { ...check, fullCheckAt: new Date(lastFull.at) };
  }
  const check = await audit.verifyChain(ctx.db);
  lastFull = check.ok && check.head ? { at: now, head: check.head } : null;
  return { ...check, fullCheckAt: ctx.now };
}
