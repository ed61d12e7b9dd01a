import { and, asc, count, desc, eq, inArray, isNull, lt, sql, sum, type SQL } from "drizzle-orm";
import { z } from "zod";
import { CHANNELS, REFUSAL_REASONS, RIGHTS, SITES, STATUSES, type Status } from "../../db/schema/enums";
import { requestCounts, requestEvents, requestNotes, requestPauses, requests, type RequestRow } from "../../db/schema/requests";
import { staff } from "../../db/schema/staff";
import * as emails from "../../emails";
import type { DbOrTx, Tx } from "../utils/db.server";
import { env } from "../utils/env.server";
import * as audit from "./audit.server";
import { canSeeIdentity, requireRole, requireStaff, requireTicketAccess } from "./authz";
import type { Ctx, StaffActor } from "./context";
import { addDays, computeDeadline, parisDate } from "./deadlines";
import { DomainError } from "./errors";
import { enqueue } from "./outbox.server";
import { addEvent, link, refreshDeadline, setStatus } from "./requests.server";
import { isClosed } from "./request-status";
import { findLink, issueLink, markUsed } from "./verification.server";

export const OPEN_STATUSES: Status[] = ["received", "in_progress", "awaiting_requester", "ready"];
const PAUSED_STATUSES: Status[] = ["awaiting_verification", "awaiting_requester"];
export const PAGE_SIZE = 50;

export const QueueFilters = z.object({
  status: z.enum([...STATUSES, "open", "all"]).catch("open"),
  right: z.enum(RIGHTS).optional().catch(undefined),
  channel: z.enum(CHANNELS).optional().catch(undefined),
  site: z.enum([...SITES, "web"]).optional().catch(undefined),
  assignee: z.union([z.literal("none"), z.literal("me"), z.coerce.number().int().positive()]).optional().catch(undefined),
  q: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9-]{1,20}$/)
    .optional()
    .catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});
export type QueueFilters = z.infer<typeof QueueFilters>;

export type Marker = "overdue" | "soon" | "paused" | null;

/**
 * Search by reference the way people type it: the whole reference, its
 * number alone ("123" finds DSR-2026-000123), or a prefix. Each form can use
 * an index (the unique reference index, or the one on the 6-digit suffix).
 */
function referenceMatch(q: string): SQL {
  if (/^\d{1,6}$/.test(q)) return sql`substr(${requests.reference}, -6) = ${q.padStart(6, "0")}`;
  if (/^DSR-\d{4}-\d{6}$/.test(q)) return eq(requests.reference, q);
  return and(sql`${requests.reference} >= ${q}`, sql`${requests.reference} < ${`${q}\uffff`}`)!;
}

function markerFor(status: Status, due: string | null, today: string): Marker {
  if (PAUSED_STATUSES.includes(status)) return "paused";
  if (!OPEN_STATUSES.includes(status) || !due) return null;
  if (due < today) return "overdue";
  if (due <= addDays(today, 7)) return "soon";
  return null;
}

/** The DPO's queue: open tickets by effective due date, filtered, paginated, with counts per status. */
export function queue({ ctx, filters }: { ctx: Ctx; filters: QueueFilters }) {
  const me = requireStaff(ctx.actor);
  const scope: SQL[] = [];
  // The one site the view is confined to ('' for the web), if any: see counts below.
  let site: string | undefined;
  if (me.role === "agent") {
    scope.push(eq(requests.site, me.site));
    site = me.site;
  }
  // rights is a JSON array of fixed words: a quoted-token search is exact and far cheaper than json_each.
  // The word is written into the SQL (it is one of RIGHTS, checked by zod) so that SQLite can use the
  // partial index of that right (db/schema/requests.ts), which a bound parameter would not match.
  if (filters.right) scope.push(sql`instr(${requests.rights}, ${sql.raw(`'"${RIGHTS.find((r) => r === filters.right)!}"'`)}) > 0`);
  if (filters.channel) scope.push(eq(requests.channel, filters.channel));
  // An agent's scope is their site; a site filter cannot widen it.
  if (filters.site && me.role !== "agent") {
    scope.push(filters.site === "web" ? isNull(requests.site) : eq(requests.site, filters.site));
    site = filters.site === "web" ? "" : filters.site;
  }
  if (filters.assignee === "none") scope.push(isNull(requests.assigneeId));
  else if (filters.assignee === "me") scope.push(eq(requests.assigneeId, me.id));
  else if (typeof filters.assignee === "number") scope.push(eq(requests.assigneeId, filters.assignee));
  if (filters.q) scope.push(referenceMatch(filters.q));

  // Counts per status in this scope, without the status filter. With no filter but the site (the
  // default view, an agent's queue) they are the trigger-kept request_counts, a few rows; counting
  // the index instead took 6 ms at 100k tickets on every page view.
  const counted =
    scope.length === (site === undefined ? 0 : 1)
      ? ctx.db
          .select({ status: requestCounts.status, n: sum(requestCounts.n).mapWith(Number) })
          .from(requestCounts)
          .where(site === undefined ? undefined : eq(requestCounts.site, site))
          .groupBy(requestCounts.status)
          .all()
      : ctx.db.select({ status: requests.status, n: count() }).from(requests).where(and(...scope)).groupBy(requests.status).all();
  const counts = Object.fromEntries(counted.filter((c) => c.n > 0).map((c) => [c.status, c.n])) as Partial<Record<Status, number>>;
  const shown: readonly Status[] = filters.status === "open" ? OPEN_STATUSES : filters.status === "all" ? STATUSES : [filters.status];
  const total = shown.reduce<number>((n, s) => n + (counts[s] ?? 0), 0);

  const statusCond =
    filters.status === "open" ? inArray(requests.status, OPEN_STATUSES) : filters.status === "all" ? undefined : eq(requests.status, filters.status);
  const where = and(...scope, ...(statusCond ? [statusCond] : []));
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(filters.page, pages);
  const rows = ctx.db
    .select({
      reference: requests.reference,
      status: requests.status,
      rights: requests.rights,
      channel: requests.channel,
      site: requests.site,
      receivedAt: requests.receivedAt,
      effectiveDueOn: requests.effectiveDueOn,
      extended: requests.extended,
      assigneeId: requests.assigneeId,
    })
    .from(requests)
    .where(where)
    // Undated tickets (identity not yet verified) sort first: ordering on the bare column keeps the index usable.
    .orderBy(asc(requests.effectiveDueOn), asc(requests.id))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .all();
  // Names for this page only: joining before the LIMIT made SQLite sort every open ticket.
  const assigneeIds = [...new Set(rows.map((r) => r.assigneeId).filter((id): id is number => id !== null))];
  const names = new Map(
    assigneeIds.length
      ? ctx.db.select({ id: staff.id, displayName: staff.displayName }).from(staff).where(inArray(staff.id, assigneeIds)).all().map((s) => [s.id, s.displayName])
      : [],
  );
  const today = parisDate(ctx.now);
  const overdue = ctx.db
    .select({ n: count() })
    .from(requests)
    .where(and(...scope, inArray(requests.status, ["received", "in_progress", "ready"]), lt(requests.effectiveDueOn, today)))
    .get()!.n;
  return {
    rows: rows.map(({ assigneeId, ...r }) => ({ ...r, assignee: assigneeId ? (names.get(assigneeId) ?? null) : null, marker: markerFor(r.status, r.effectiveDueOn, today) })),
    counts,
    overdue,
    total,
    page,
    pages,
  };
}

/** A ticket by reference, for a staff member who may see it: another site's answers as a missing one does (404). */
export function loadForStaff(tx: DbOrTx, actor: StaffActor, reference: string): RequestRow {
  const r = tx.select().from(requests).where(eq(requests.reference, reference)).get();
  if (!r) throw new DomainError("not_found");
  requireTicketAccess(actor, r);
  return r;
}

/** The ticket page. Every opening is audited, and the identity view separately. */
export function ticketView({ ctx, reference }: { ctx: Ctx; reference: string }) {
  const me = requireStaff(ctx.actor);
  return ctx.db.transaction((tx) => {
    const r = loadForStaff(tx, me, reference);
    const pauses = tx.select().from(requestPauses).where(eq(requestPauses.requestId, r.id)).orderBy(asc(requestPauses.startedAt)).all();
    const deadline =
      r.status === "awaiting_verification"
        ? null
        : computeDeadline({
            receivedAt: r.receivedAt,
            pauses: pauses.map((p) => ({ start: p.startedAt, end: p.endedAt })),
            extended: r.extended,
            profile: r.holidayProfile,
            now: ctx.now,
          });
    const events = tx
      .select({ at: requestEvents.at, type: requestEvents.type, actor: requestEvents.actor, data: requestEvents.data })
      .from(requestEvents)
      .where(eq(requestEvents.requestId, r.id))
      .orderBy(asc(requestEvents.at), asc(requestEvents.id))
      .all();
    const notes = tx
      .select({ at: requestNotes.at, body: requestNotes.body, author: staff.displayName })
      .from(requestNotes)
      .leftJoin(staff, eq(staff.id, requestNotes.staffId))
      .where(eq(requestNotes.requestId, r.id))
      .orderBy(desc(requestNotes.at))
      .all();
    const showIdentity = canSeeIdentity(me);
    audit.append(tx, { actor: me, action: "ticket.viewed", reference: r.reference, details: {}, at: ctx.now });
    if (showIdentity) audit.append(tx, { actor: me, action: "ticket.identity_viewed", reference: r.reference, details: {}, at: ctx.now });
    const assignee = r.assigneeId ? tx.select({ id: staff.id, displayName: staff.displayName }).from(staff).where(eq(staff.id, r.assigneeId)).get() : null;
    const duplicateOf = r.duplicateOfId ? tx.select({ reference: requests.reference }).from(requests).where(eq(requests.id, r.duplicateOfId)).get() : null;
    return {
      id: r.id,
      reference: r.reference,
      status: r.status,
      rights: r.rights,
      channel: r.channel,
      site: r.site,
      receivedAt: r.receivedAt,
      verifiedAt: r.verifiedAt,
      verificationMethod: r.verificationMethod,
      extended: r.extended,
      effectiveDueOn: r.effectiveDueOn,
      deadline,
      pauses: pauses.map((p) => ({ reason: p.reason, startedAt: p.startedAt, endedAt: p.endedAt })),
      identity: showIdentity
        ? {
            lastName: r.lastName,
            firstName: r.firstName,
            email: r.email,
            phone: r.phone,
            onBehalf: r.onBehalf,
            subjectLastName: r.subjectLastName,
            subjectFirstName: r.subjectFirstName,
            details: r.details,
            rectificationWrong: r.rectificationWrong,
            rectificationCorrect: r.rectificationCorrect,
          }
        : null,
      assignee,
      duplicateOf: duplicateOf?.reference ?? null,
      events,
      notes,
      marker: markerFor(r.status, r.effectiveDueOn, parisDate(ctx.now)),
    };
  });
}

/** Every ticket verb: one transaction, ticket access, role check, timeline event, audit entry. */
function act<T>(
  ctx: Ctx,
  reference: string,
  roles: StaffActor["role"][],
  fn: (tx: Tx, r: RequestRow, me: StaffActor) => T,
): T {
  const me = requireStaff(ctx.actor);
  return ctx.db.transaction((tx) => {
    const r = loadForStaff(tx, me, reference);
    requireRole(me, ...roles);
    return fn(tx, r, me);
  });
}

const WORKERS: StaffActor["role"][] = ["dpo", "support"];

export function assign({ ctx, reference, assigneeId }: { ctx: Ctx; reference: string; assigneeId: number | null }) {
  return act(ctx, reference, WORKERS, (tx, r, me) => {
    if (isClosed(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "assigned" });
    if (assigneeId !== null) {
      const target = tx.select().from(staff).where(and(eq(staff.id, assigneeId), eq(staff.active, true))).get();
      if (!target || target.role === "agent") throw new DomainError("invalid_input", { field: "assigneeId" });
    }
    tx.update(requests).set({ assigneeId, updatedAt: ctx.now }).where(eq(requests.id, r.id)).run();
    addEvent(tx, r.id, ctx, "assigned", { assigneeId });
    audit.append(tx, { actor: me, action: "ticket.assigned", reference: r.reference, details: { assigneeId }, at: ctx.now });
  });
}

export function start({ ctx, reference }: { ctx: Ctx; reference: string }) {
  return act(ctx, reference, WORKERS, (tx, r, me) => {
    setStatus(tx, r, "in_progress", ctx.now);
    addEvent(tx, r.id, ctx, "started");
    audit.append(tx, { actor: me, action: "ticket.started", reference: r.reference, details: {}, at: ctx.now });
  });
}

/** Asks the requester a question: the clock stops until they answer through the emailed link. */
export function askRequester({ ctx, reference, question }: { ctx: Ctx; reference: string; question: string }) {
  const q = question.trim();
  if (q.length < 5 || q.length > 2000) throw new DomainError("invalid_input", { field: "question" });
  return act(ctx, reference, WORKERS, (tx, r, me) => {
    setStatus(tx, r, "awaiting_requester", ctx.now);
    tx.insert(requestPauses).values({ requestId: r.id, reason: "awaiting_requester", startedAt: ctx.now }).run();
    addEvent(tx, r.id, ctx, "info_requested");
    addEvent(tx, r.id, ctx, "clock_paused", { reason: "awaiting_requester" });
    const token = issueLink(tx, r.id, "reply_link", ctx.now);
    const url = link(`/reponse/${token}`);
    const ttlDays = env().STATUS_LINK_TTL_DAYS;
    if (r.email) {
      const m = emails.infoRequest({ reference: r.reference, question: q, link: url, ttlDays }, r.locale);
      enqueue(tx, { channel: "email", to: r.email, template: "info_request", ...m, requestId: r.id }, ctx.now);
    } else if (r.phone) {
      const text = r.locale === "en" ? `CentreCall: we need information about request ${r.reference}: ${url}` : `CentreCall : précisions nécessaires pour la demande ${r.reference} : ${url}`;
      enqueue(tx, { channel: "sms", to: r.phone, template: "sms_info_request", text, requestId: r.id }, ctx.now);
    }
    audit.append(tx, { actor: me, action: "ticket.info_requested", reference: r.reference, details: {}, at: ctx.now });
  });
}

/** The requester's answer (public, through the reply link): the clock resumes. */
export function requesterReply({ ctx, token, message }: { ctx: Ctx; token: string; message: string }) {
  const text = message.trim();
  return ctx.db.transaction((tx) => {
    const row = findLink(tx, token, "reply_link", ctx.now);
    if (!row || row.usedAt) return { ok: false as const };
    const r = tx.select().from(requests).where(eq(requests.id, row.requestId)).get();
    if (!r || r.status !== "awaiting_requester") return { ok: false as const };
    if (text.length < 1 || text.length > 5000) throw new DomainError("invalid_input", { field: "message" });
    markUsed(tx, row.id, ctx.now);
    setStatus(tx, r, "in_progress", ctx.now);
    tx.update(requestPauses)
      .set({ endedAt: ctx.now })
      .where(and(eq(requestPauses.requestId, r.id), eq(requestPauses.reason, "awaiting_requester"), isNull(requestPauses.endedAt)))
      .run();
    tx.insert(requestNotes).values({ requestId: r.id, staffId: 0, at: ctx.now, body: text }).run();
    addEvent(tx, r.id, ctx, "requester_replied");
    const d = refreshDeadline(tx, { ...r, status: "in_progress" }, ctx.now);
    addEvent(tx, r.id, ctx, "clock_resumed", { pausedDays: d.pausedDays, dueOn: d.effectiveDueOn });
    audit.append(tx, { actor: ctx.actor, action: "ticket.requester_replied", reference: r.reference, details: {}, at: ctx.now });
    return { ok: true as const, reference: r.reference };
  });
}

export function replyLinkIsUsable(db: DbOrTx, token: string, now: Date): boolean {
  const row = findLink(db, token, "reply_link", now);
  if (!row || row.usedAt) return false;
  return db.select({ s: requests.status }).from(requests).where(eq(requests.id, row.requestId)).get()?.s === "awaiting_requester";
}

/** Art. 12(3): two more months, decided and notified with reasons before the deadline passes. */
export function extend({ ctx, reference, reasons }: { ctx: Ctx; reference: string; reasons: string }) {
  const why = reasons.trim();
  if (why.length < 10 || why.length > 2000) throw new DomainError("invalid_input", { field: "reasons", code: "reasons_required" });
  return act(ctx, reference, ["dpo"], (tx, r, me) => {
    if (!OPEN_STATUSES.includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "extended" });
    if (r.extended) throw new DomainError("illegal_transition", { code: "already_extended" });
    if (!r.effectiveDueOn || parisDate(ctx.now) > r.effectiveDueOn) throw new DomainError("illegal_transition", { code: "deadline_passed" });
    tx.update(requests).set({ extended: true, updatedAt: ctx.now }).where(eq(requests.id, r.id)).run();
    const d = refreshDeadline(tx, { ...r, extended: true }, ctx.now);
    addEvent(tx, r.id, ctx, "extended", { dueOn: d.extendedDueOn });
    if (r.email) {
      const m = emails.extensionNotice({ reference: r.reference, reasons: why, dueOn: d.extendedDueOn }, r.locale);
      enqueue(tx, { channel: "email", to: r.email, template: "extension", ...m, requestId: r.id }, ctx.now);
    } else if (r.phone) {
      const [y, mo, da] = d.extendedDueOn.split("-");
      const text = r.locale === "en" ? `CentreCall: request ${r.reference} extended by 2 months, answer by ${da}/${mo}/${y}. Reasons will follow by post on request.` : `CentreCall : demande ${r.reference} prolongée de 2 mois, réponse au plus tard le ${da}/${mo}/${y}.`;
      enqueue(tx, { channel: "sms", to: r.phone, template: "sms_extension", text, requestId: r.id }, ctx.now);
    }
    audit.append(tx, { actor: me, action: "ticket.extended", reference: r.reference, details: { dueOn: d.extendedDueOn }, at: ctx.now });
    return d.extendedDueOn;
  });
}

export const RefuseInput = z.object({
  reasons: z.array(z.enum(REFUSAL_REASONS)).min(1),
  text: z.string().trim().min(10).max(4000),
});

export function refuse({ ctx, reference, input }: { ctx: Ctx; reference: string; input: z.infer<typeof RefuseInput> }) {
  return act(ctx, reference, ["dpo"], (tx, r, me) => {
    setStatus(tx, r, "refused", ctx.now, { closedAt: ctx.now });
    closeOpenPauses(tx, r.id, ctx.now);
    addEvent(tx, r.id, ctx, "refused", { reasons: input.reasons });
    if (r.email) {
      const m = emails.refusalNotice({ reference: r.reference, reasons: input.reasons, text: input.text }, r.locale);
      enqueue(tx, { channel: "email", to: r.email, template: "refusal", ...m, requestId: r.id }, ctx.now);
    }
    audit.append(tx, { actor: me, action: "ticket.refused", reference: r.reference, details: { reasons: input.reasons }, at: ctx.now });
  });
}

function closeOpenPauses(tx: Tx, requestId: number, now: Date) {
  tx.update(requestPauses).set({ endedAt: now }).where(and(eq(requestPauses.requestId, requestId), isNull(requestPauses.endedAt))).run();
}

function notifyClosing(tx: Tx, r: RequestRow, now: Date, outcome: "completed" | "cancelled" | "duplicate", duplicateOf?: string) {
  if (!r.email) return;
  const m = emails.closingNotice({ reference: r.reference, outcome, duplicateOf }, r.locale);
  enqueue(tx, { channel: "email", to: r.email, template: `closing_${outcome}`, ...m, requestId: r.id }, now);
}

export function markDuplicate({ ctx, reference, of }: { ctx: Ctx; reference: string; of: string }) {
  return act(ctx, reference, WORKERS, (tx, r, me) => {
    const original = tx.select().from(requests).where(eq(requests.reference, of.trim().toUpperCase())).get();
    if (!original || original.id === r.id) throw new DomainError("invalid_input", { field: "of", code: "duplicate_target" });
    requireTicketAccess(me, original);
    setStatus(tx, r, "duplicate", ctx.now, { closedAt: ctx.now, duplicateOfId: original.id });
    closeOpenPauses(tx, r.id, ctx.now);
    addEvent(tx, r.id, ctx, "duplicate", { of: original.reference });
    notifyClosing(tx, r, ctx.now, "duplicate", original.reference);
    audit.append(tx, { actor: me, action: "ticket.duplicate", reference: r.reference, details: { of: original.reference }, at: ctx.now });
  });
}

export function cancel({ ctx, reference }: { ctx: Ctx; reference: string }) {
  return act(ctx, reference, WORKERS, (tx, r, me) => {
    setStatus(tx, r, "cancelled", ctx.now, { closedAt: ctx.now });
    closeOpenPauses(tx, r.id, ctx.now);
    addEvent(tx, r.id, ctx, "cancelled");
    notifyClosing(tx, r, ctx.now, "cancelled");
    audit.append(tx, { actor: me, action: "ticket.cancelled", reference: r.reference, details: {}, at: ctx.now });
  });
}

export function markReady({ ctx, reference }: { ctx: Ctx; reference: string }) {
  return act(ctx, reference, WORKERS, (tx, r, me) => {
    setStatus(tx, r, "ready", ctx.now);
    addEvent(tx, r.id, ctx, "ready");
    audit.append(tx, { actor: me, action: "ticket.ready", reference: r.reference, details: {}, at: ctx.now });
  });
}

export function complete({ ctx, reference }: { ctx: Ctx; reference: string }) {
  return act(ctx, reference, WORKERS, (tx, r, me) => {
    setStatus(tx, r, "completed", ctx.now, { closedAt: ctx.now });
    addEvent(tx, r.id, ctx, "completed");
    notifyClosing(tx, r, ctx.now, "completed");
    audit.append(tx, { actor: me, action: "ticket.completed", reference: r.reference, details: {}, at: ctx.now });
  });
}

export function addNote({ ctx, reference, body }: { ctx: Ctx; reference: string; body: string }) {
  const text = body.trim();
  if (text.length < 1 || text.length > 5000) throw new DomainError("invalid_input", { field: "body" });
  return act(ctx, reference, ["dpo", "support", "agent", "admin"], (tx, r, me) => {
    tx.insert(requestNotes).values({ requestId: r.id, staffId: me.id, at: ctx.now, body: text }).run();
    addEvent(tx, r.id, ctx, "note_added");
    audit.append(tx, { actor: me, action: "ticket.note_added", reference: r.reference, details: {}, at: ctx.now });
  });
}

/** Staff a ticket can be assigned to. */
export function assignableStaff(db: DbOrTx) {
  return db
    .select({ id: staff.id, displayName: staff.displayName, role: staff.role })
    .from(staff)
    .where(and(eq(staff.active, true), inArray(staff.role, ["dpo", "support"])))
    .orderBy(asc(staff.displayName))
    .all();
}

/** Reading gathered personal data from the ticket page: access checked, then audited in the same step. */
export function auditedRead<T>(ctx: Ctx, reference: string, read: () => T): T {
  const me = requireStaff(ctx.actor);
  return ctx.db.transaction((tx) => {
    const r = loadForStaff(tx, me, reference);
    const result = read();
    audit.append(tx, { actor: me, action: "record.viewed", reference: r.reference, details: { what: "gathered_identity" }, at: ctx.now });
    return result;
  });
}
