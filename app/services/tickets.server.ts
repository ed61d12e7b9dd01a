import { and, asc, count, desc, eq, inArray, isNull, sql, sum, type SQL } from "drizzle-orm";
import { controllerParts, requireControllersAnswered } from "./referrals.server";
import { z } from "zod";
import { CHANNELS, REFUSAL_REASONS, RIGHTS, SITES, STATUSES, type Status } from "../../db/schema/enums";
import { INFO_REASONS, infoRequests, requestCounts, requestEvents, requestNotes, requestPauses, requests, type InfoReason, type RequestRow } from "../../db/schema/requests";
import { staff } from "../../db/schema/staff";
import * as emails from "../../emails";
import type { DbOrTx, Tx } from "../utils/db.server";
import { env } from "../utils/env.server";
import { referenceNumberEquals, rightsInclude } from "../utils/sql-dialect.server";
import * as audit from "./audit.server";
import { canSeeIdentity, requireStaff, requireTicketAccess } from "./authz";
import type { Ctx, StaffActor } from "./context";
import { computeDeadline, parisDate } from "./deadlines";
import { DUE_STATES, dueState, dueWhere, type DueState } from "./due-state";
import { DomainError } from "./errors";
import { loadTicket } from "./ticket-access.server";
import { canDisclose, notifyRequester } from "./letters.server";
import { addEvent, link, refreshDeadline, setStatus } from "./requests.server";
import { whatWasDone } from "./outcomes.server";
import type { EventType } from "./events";
import { isClosed } from "./request-status";
import { findLink, issueLink, markUsed } from "./verification.server";
import { first, withTx } from "../utils/db.server";
import { mapInOrder } from "../utils/in-order";

export const OPEN_STATUSES: Status[] = ["received", "in_progress", "awaiting_requester", "ready"];
export const PAGE_SIZE = 50;

export const QueueFilters = z.object({
  status: z.enum([...STATUSES, "open", "all"]).catch("open"),
  right: z.enum(RIGHTS).optional().catch(undefined),
  channel: z.enum(CHANNELS).optional().catch(undefined),
  site: z.enum([...SITES, "web"]).optional().catch(undefined),
  /** the queue's counters as filters: one meaning of each (due-state.ts) */
  due: z.enum(DUE_STATES).optional().catch(undefined),
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

export type Marker = DueState | null;

/**
 * Search by reference the way people type it: the whole reference, its
 * number alone ("123" finds DSR-2026-000123), or a prefix. Each form can use
 * an index (the unique reference index, or the one on the 6-digit suffix).
 */
function referenceMatch(q: string): SQL {
  if (/^\d{1,6}$/.test(q)) return referenceNumberEquals(requests.reference, q);
  if (/^DSR-\d{4}-\d{6}$/.test(q)) return eq(requests.reference, q);
  return and(sql`${requests.reference} >= ${q}`, sql`${requests.reference} < ${`${q}\uffff`}`)!;
}

const markerFor = dueState;

/** The DPO's queue: open tickets by effective due date, filtered, paginated, with counts per status. */
export async function queue({ ctx, filters }: { ctx: Ctx; filters: QueueFilters }) {
  const me = requireStaff(ctx.actor);
  const scope: SQL[] = [];
  // The one site the view is confined to ('' for the web), if any: see counts below.
  let site: string | undefined;
  if (me.role === "agent") {
    scope.push(eq(requests.site, me.site));
    site = me.site;
  }
  // Served by the partial index of that right (db/schema/requests.ts).
  if (filters.right) scope.push(rightsInclude(requests.rights, filters.right));
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

  const today = parisDate(ctx.now);
  // The counters (overdue, due soon, paused) in this scope, whatever the status and due filters:
  // each is the number of rows its link shows.
  const [overdue, soon, paused] = (await mapInOrder(
    DUE_STATES,
    async (state) => (await first(ctx.db.select({ n: count() }).from(requests).where(and(...scope, dueWhere(state, today)))))!.n,
  )) as [number, number, number];
  const dueCond = filters.due ? dueWhere(filters.due, today) : undefined;

  // Counts per status in this scope (and due filter), without the status filter. With no filter but the
  // site (the default view, an agent's queue) they are the trigger-kept request_counts, a few rows;
  // counting the index instead took 6 ms at 100k tickets on every page view.
  const counted =
    !dueCond && scope.length === (site === undefined ? 0 : 1)
      ? (await ctx.db
          .select({ status: requestCounts.status, n: sum(requestCounts.n).mapWith(Number) })
          .from(requestCounts)
          .where(site === undefined ? undefined : eq(requestCounts.site, site))
          .groupBy(requestCounts.status))
      : (await ctx.db
          .select({ status: requests.status, n: count() })
          .from(requests)
          .where(and(...scope, ...(dueCond ? [dueCond] : [])))
          .groupBy(requests.status));
  const counts = Object.fromEntries(counted.filter((c) => c.n > 0).map((c) => [c.status, c.n])) as Partial<Record<Status, number>>;
  // A due filter names its own statuses (a paused ticket may await verification, which "open" leaves
  // out): under the default "open" it alone decides, so the counter and its rows agree.
  const status = filters.due && filters.status === "open" ? "all" : filters.status;
  const shown: readonly Status[] = status === "open" ? OPEN_STATUSES : status === "all" ? STATUSES : [status];
  const total = shown.reduce<number>((n, s) => n + (counts[s] ?? 0), 0);

  const statusCond = status === "open" ? inArray(requests.status, OPEN_STATUSES) : status === "all" ? undefined : eq(requests.status, status);
  const where = and(...scope, ...(statusCond ? [statusCond] : []), ...(dueCond ? [dueCond] : []));
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(filters.page, pages);
  const rows = await ctx.db
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
    .offset((page - 1) * PAGE_SIZE);
  // Names for this page only: joining before the LIMIT made SQLite sort every open ticket.
  const assigneeIds = [...new Set(rows.map((r) => r.assigneeId).filter((id): id is number => id !== null))];
  const names = new Map(
    assigneeIds.length
      ? (await ctx.db.select({ id: staff.id, displayName: staff.displayName }).from(staff).where(inArray(staff.id, assigneeIds))).map((s) => [s.id, s.displayName])
      : [],
  );
  return {
    rows: rows.map(({ assigneeId, ...r }) => ({ ...r, assignee: assigneeId ? (names.get(assigneeId) ?? null) : null, marker: markerFor(r.status, r.effectiveDueOn, today) })),
    counts,
    overdue,
    soon,
    paused,
    total,
    page,
    pages,
  };
}

/** The ticket page. Every opening is audited, and the identity view separately. */
export async function ticketView({ ctx, reference }: { ctx: Ctx; reference: string }) {
  const me = requireStaff(ctx.actor);
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    const pauses = await tx.select().from(requestPauses).where(eq(requestPauses.requestId, r.id)).orderBy(asc(requestPauses.startedAt));
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
    const events = await tx
      .select({ at: requestEvents.at, type: requestEvents.type, actor: requestEvents.actor, data: requestEvents.data })
      .from(requestEvents)
      .where(eq(requestEvents.requestId, r.id))
      .orderBy(asc(requestEvents.at), asc(requestEvents.id));
    const notes = await tx
      .select({ at: requestNotes.at, body: requestNotes.body, author: staff.displayName })
      .from(requestNotes)
      .leftJoin(staff, eq(staff.id, requestNotes.staffId))
      .where(eq(requestNotes.requestId, r.id))
      .orderBy(desc(requestNotes.at));
    // Once purged by the retention job there is no identity left to show (or to audit as read).
    const showIdentity = canSeeIdentity(me) && !r.identityPurgedAt;
    await audit.append(tx, { actor: me, action: "ticket.viewed", reference: r.reference, details: {}, at: ctx.now });
    if (showIdentity) await audit.append(tx, { actor: me, action: "ticket.identity_viewed", reference: r.reference, details: {}, at: ctx.now });
    const assignee = r.assigneeId ? (await first(tx.select({ id: staff.id, displayName: staff.displayName }).from(staff).where(eq(staff.id, r.assigneeId)))) : null;
    const duplicateOf = r.duplicateOfId ? (await first(tx.select({ reference: requests.reference }).from(requests).where(eq(requests.id, r.duplicateOfId)))) : null;
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
      // Which contacts are proven (dates only: no values without the identity right).
      contacts: {
        email: r.email !== null,
        phone: r.phone !== null,
        postal: r.postalAddress !== null,
        emailVerifiedAt: r.emailVerifiedAt,
        phoneVerifiedAt: r.phoneVerifiedAt,
        postalVerifiedAt: r.postalVerifiedAt,
      },
      onBehalf: r.onBehalf,
      mandateStatus: r.mandateStatus,
      outcome: r.outcome,
      closedAt: r.closedAt,
      identityPurgedAt: r.identityPurgedAt,
      extended: r.extended,
      effectiveDueOn: r.effectiveDueOn,
      // The first month's end (moved by paused days): an extension is decided before it passes (`extend`).
      dueOn: r.dueOn,
      extendable: OPEN_STATUSES.includes(r.status) && !r.extended && !!r.dueOn && parisDate(ctx.now) <= r.dueOn,
      deadline,
      pauses: pauses.map((p) => ({ reason: p.reason, startedAt: p.startedAt, endedAt: p.endedAt })),
      identity: showIdentity
        ? {
            lastName: r.lastName,
            firstName: r.firstName,
            email: r.email,
            phone: r.phone,
            postalAddress: r.postalAddress,
            postcode: r.postcode,
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
      events: events.map((e) => ({ ...e, type: e.type as EventType })),
      notes,
      marker: markerFor(r.status, r.effectiveDueOn, parisDate(ctx.now)),
    };
  });
}

/** Every ticket verb: one transaction, ticket access, role check, timeline event, audit entry. */
async function act<T>(
  ctx: Ctx,
  reference: string,
  roles: StaffActor["role"][],
  fn: (tx: Tx, r: RequestRow, me: StaffActor) => T,
): Promise<T> {
  const me = requireStaff(ctx.actor);
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference, { roles });
    return await fn(tx, r, me);
  });
}

const WORKERS: StaffActor["role"][] = ["dpo", "support"];

export async function assign({ ctx, reference, assigneeId }: { ctx: Ctx; reference: string; assigneeId: number | null }) {
  return await act(ctx, reference, WORKERS, async (tx, r, me) => {
    if (isClosed(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "assigned" });
    if (assigneeId !== null) {
      const target = await first(tx.select().from(staff).where(and(eq(staff.id, assigneeId), eq(staff.active, true))));
      if (!target || target.role === "agent") throw new DomainError("invalid_input", { field: "assigneeId" });
    }
    await tx.update(requests).set({ assigneeId, updatedAt: ctx.now }).where(eq(requests.id, r.id));
    await addEvent(tx, r.id, ctx, "assigned", { assigneeId });
    await audit.append(tx, { actor: me, action: "ticket.assigned", reference: r.reference, details: { assigneeId }, at: ctx.now });
  });
}

export async function start({ ctx, reference }: { ctx: Ctx; reference: string }) {
  return await act(ctx, reference, WORKERS, async (tx, r, me) => {
    await setStatus(tx, r, "in_progress", ctx.now);
    await addEvent(tx, r.id, ctx, "started");
    await audit.append(tx, { actor: me, action: "ticket.started", reference: r.reference, details: {}, at: ctx.now });
  });
}

/**
 * Asks the requester a question. The clock stops only for a reason from the
 * list (identity, scope of the request: Recital 63, Décret 2019-536 art. 77)
 * and only until they answer; unanswered, they are reminded after 15 days
 * and the request closes after INFO_REQUEST_CLOSE_DAYS (`sweepInfoRequests`).
 */
export async function askRequester({ ctx, reference, question, reason }: { ctx: Ctx; reference: string; question: string; reason: string }) {
  const q = question.trim();
  if (q.length < 5 || q.length > 2000) throw new DomainError("invalid_input", { field: "question" });
  if (!(INFO_REASONS as readonly string[]).includes(reason)) throw new DomainError("invalid_input", { field: "reason", code: "info_reason_required" });
  return await act(ctx, reference, WORKERS, async (tx, r, me) => {
    await setStatus(tx, r, "awaiting_requester", ctx.now);
    await tx.insert(requestPauses).values({ requestId: r.id, reason: "awaiting_requester", startedAt: ctx.now });
    await tx.insert(infoRequests).values({ requestId: r.id, reason: reason as InfoReason, question: q, askedBy: me.id, askedAt: ctx.now });
    await addEvent(tx, r.id, ctx, "info_requested", { reason });
    await addEvent(tx, r.id, ctx, "clock_paused", { reason: "awaiting_requester" });
    const url = link(`/reponse/${(await issueLink(tx, r.id, "reply_link", ctx.now))}`);
    const closeDays = env().INFO_REQUEST_CLOSE_DAYS;
    await notifyRequester(tx, ctx, r, {
      kind: "info_request",
      template: "info_request",
      message: emails.infoRequest({ reference: r.reference, question: q, link: url, ttlDays: env().STATUS_LINK_TTL_DAYS, closeDays }, r.locale),
      // The SMS carries the answer link itself; the question is on the follow-up page.
      sms: () => emails.smsInfoRequest({ reference: r.reference, link: url }, r.locale),
      disclosure: false,
    });
    await audit.append(tx, { actor: me, action: "ticket.info_requested", reference: r.reference, details: { reason }, at: ctx.now });
  });
}

/** Ends the wait: the question is answered, the pause closes, the clock resumes. */
async function resumeAfterReply(tx: Tx, ctx: Ctx, r: RequestRow, body: string, by: number) {
  await setStatus(tx, r, "in_progress", ctx.now);
  await tx.update(requestPauses)
    .set({ endedAt: ctx.now })
    .where(and(eq(requestPauses.requestId, r.id), eq(requestPauses.reason, "awaiting_requester"), isNull(requestPauses.endedAt)));
  await tx.update(infoRequests).set({ answeredAt: ctx.now }).where(and(eq(infoRequests.requestId, r.id), isNull(infoRequests.answeredAt), isNull(infoRequests.closedAt)));
  await tx.insert(requestNotes).values({ requestId: r.id, staffId: by, at: ctx.now, body });
  await addEvent(tx, r.id, ctx, "requester_replied");
  const d = await refreshDeadline(tx, { ...r, status: "in_progress" }, ctx.now);
  await addEvent(tx, r.id, ctx, "clock_resumed", { pausedDays: d.pausedDays, dueOn: d.effectiveDueOn });
}

/** The requester's answer (public, through the reply link): the clock resumes. */
export async function requesterReply({ ctx, token, message }: { ctx: Ctx; token: string; message: string }) {
  const text = message.trim();
  return await withTx(ctx, async (tx) => {
    const row = await findLink(tx, token, "reply_link", ctx.now);
    if (!row || row.usedAt) return { ok: false as const };
    const r = await first(tx.select().from(requests).where(eq(requests.id, row.requestId)));
    if (!r || r.status !== "awaiting_requester") return { ok: false as const };
    if (text.length < 1 || text.length > 5000) throw new DomainError("invalid_input", { field: "message" });
    await markUsed(tx, row.id, ctx.now);
    await resumeAfterReply(tx, ctx, r, text, 0);
    await audit.append(tx, { actor: ctx.actor, action: "ticket.requester_replied", reference: r.reference, details: {}, at: ctx.now });
    return { ok: true as const, reference: r.reference };
  });
}

/** A reply that came by post or by phone, typed in by staff: the clock resumes the same way. */
export async function recordReply({ ctx, reference, message }: { ctx: Ctx; reference: string; message: string }) {
  const text = message.trim();
  if (text.length < 1 || text.length > 5000) throw new DomainError("invalid_input", { field: "message" });
  return await act(ctx, reference, ["dpo", "support", "agent"], async (tx, r, me) => {
    if (r.status !== "awaiting_requester") throw new DomainError("illegal_transition", { from: r.status, to: "in_progress" });
    await resumeAfterReply(tx, ctx, r, text, me.id);
    await audit.append(tx, { actor: me, action: "ticket.requester_replied", reference: r.reference, details: { via: "staff" }, at: ctx.now });
  });
}

/** The question the requester is asked now, for their status page (null when none is open). */
export async function openQuestion(db: DbOrTx, requestId: number) {
  return (
    (await first(db
      .select({ question: infoRequests.question, reason: infoRequests.reason, askedAt: infoRequests.askedAt })
      .from(infoRequests)
      .where(and(eq(infoRequests.requestId, requestId), isNull(infoRequests.answeredAt), isNull(infoRequests.closedAt)))
      .orderBy(desc(infoRequests.id)))) ?? null
  );
}

const REMIND_AFTER_DAYS = 15;

/**
 * Daily: a question unanswered for 15 days gets one reminder; one unanswered
 * for INFO_REQUEST_CLOSE_DAYS closes the request, with a letter saying so
 * and that the person may ask again. Each row moves only from the state it
 * was read in, so two processes never remind or close twice.
 */
export async function sweepInfoRequests({ ctx }: { ctx: Ctx }): Promise<{ reminded: number; closed: number }> {
  const open = await ctx.db
    .select()
    .from(infoRequests)
    .where(and(isNull(infoRequests.answeredAt), isNull(infoRequests.closedAt)));
  const DAY = 86_400_000;
  let reminded = 0;
  let closed = 0;
  for (const q of open) {
    const age = ctx.now.getTime() - q.askedAt.getTime();
    const closeAfter = env().INFO_REQUEST_CLOSE_DAYS * DAY;
    if (age >= closeAfter) {
      await withTx(ctx, async (tx) => {
        const r = await first(tx.select().from(requests).where(eq(requests.id, q.requestId)));
        const taken = await tx.update(infoRequests).set({ closedAt: ctx.now }).where(and(eq(infoRequests.id, q.id), isNull(infoRequests.closedAt), isNull(infoRequests.answeredAt)));
        if (!r || taken.changes === 0 || r.status !== "awaiting_requester") return;
        await setStatus(tx, r, "cancelled", ctx.now, { closedAt: ctx.now, outcome: "no_reply" });
        await closeOpenPauses(tx, r.id, ctx.now);
        await addEvent(tx, r.id, ctx, "closed_no_reply", { afterDays: env().INFO_REQUEST_CLOSE_DAYS });
        await notifyRequester(tx, ctx, r, {
          kind: "closed_no_reply",
          template: "closed_no_reply",
          message: emails.closedNoReply({ reference: r.reference, askedOn: parisDate(q.askedAt), days: env().INFO_REQUEST_CLOSE_DAYS }, r.locale),
          sms: (l) => emails.smsClosedNoReply({ reference: r.reference, link: l }, r.locale),
          disclosure: false,
        });
        await audit.append(tx, { actor: ctx.actor, action: "ticket.closed_no_reply", reference: r.reference, details: { afterDays: env().INFO_REQUEST_CLOSE_DAYS }, at: ctx.now });
        closed++;
      });
    } else if (age >= REMIND_AFTER_DAYS * DAY && !q.remindedAt) {
      await withTx(ctx, async (tx) => {
        const r = await first(tx.select().from(requests).where(eq(requests.id, q.requestId)));
        const taken = await tx.update(infoRequests).set({ remindedAt: ctx.now }).where(and(eq(infoRequests.id, q.id), isNull(infoRequests.remindedAt), isNull(infoRequests.answeredAt)));
        if (!r || taken.changes === 0 || r.status !== "awaiting_requester") return;
        const url = link(`/reponse/${(await issueLink(tx, r.id, "reply_link", ctx.now))}`);
        const closeOn = parisDate(new Date(q.askedAt.getTime() + closeAfter));
        await addEvent(tx, r.id, ctx, "info_reminded");
        await notifyRequester(tx, ctx, r, {
          kind: "info_reminder",
          template: "info_reminder",
          message: emails.infoReminder({ reference: r.reference, question: q.question, link: url, closeOn }, r.locale),
          sms: () => emails.smsInfoReminder({ reference: r.reference, link: url, closeOn }, r.locale),
          disclosure: false,
        });
        await audit.append(tx, { actor: ctx.actor, action: "ticket.info_reminded", reference: r.reference, details: {}, at: ctx.now });
        reminded++;
      });
    }
  }
  return { reminded, closed };
}

/**
 * What the answer page shows above the text box, for a usable reply link:
 * the question asked, the request it is about (reference and date of
 * receipt, Paris), and the day the request closes without an answer. Null
 * for a link that is unknown, expired, used, or whose question is closed.
 */
export async function replyView(db: DbOrTx, token: string, now: Date) {
  const row = await findLink(db, token, "reply_link", now);
  if (!row || row.usedAt) return null;
  const r = await first(db.select().from(requests).where(eq(requests.id, row.requestId)));
  if (!r || r.status !== "awaiting_requester") return null;
  const q = await openQuestion(db, r.id);
  if (!q) return null;
  return {
    reference: r.reference,
    receivedOn: parisDate(r.receivedAt),
    question: q.question,
    askedOn: parisDate(q.askedAt),
    closeOn: parisDate(new Date(q.askedAt.getTime() + env().INFO_REQUEST_CLOSE_DAYS * 86_400_000)),
  };
}

/**
 * Art. 12(3): two more months, decided and notified with reasons within the
 * first month after receipt (its end moved by the paused days, then to the
 * next working day): after that day it is too late.
 */
export async function extend({ ctx, reference, reasons }: { ctx: Ctx; reference: string; reasons: string }) {
  const why = reasons.trim();
  if (why.length < 10 || why.length > 2000) throw new DomainError("invalid_input", { field: "reasons", code: "reasons_required" });
  return await act(ctx, reference, ["dpo"], async (tx, r, me) => {
    if (!OPEN_STATUSES.includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "extended" });
    if (r.extended) throw new DomainError("illegal_transition", { code: "already_extended" });
    if (!r.dueOn || parisDate(ctx.now) > r.dueOn) throw new DomainError("illegal_transition", { code: "deadline_passed" });
    await tx.update(requests).set({ extended: true, updatedAt: ctx.now }).where(eq(requests.id, r.id));
    const d = await refreshDeadline(tx, { ...r, extended: true }, ctx.now);
    await addEvent(tx, r.id, ctx, "extended", { dueOn: d.extendedDueOn });
    await notifyRequester(tx, ctx, r, {
      kind: "extension",
      template: "extension",
      message: emails.extensionNotice({ reference: r.reference, reasons: why, dueOn: d.extendedDueOn }, r.locale),
      // The reasons are in the letter behind the link: an SMS cannot carry them.
      sms: (l) => emails.smsExtension({ reference: r.reference, dueOn: d.extendedDueOn, link: l }, r.locale),
      disclosure: false,
    });
    await audit.append(tx, { actor: me, action: "ticket.extended", reference: r.reference, details: { dueOn: d.extendedDueOn }, at: ctx.now });
    return d.extendedDueOn;
  });
}

export const RefuseInput = z.object({
  reasons: z.array(z.enum(REFUSAL_REASONS)).min(1),
  text: z.string().trim().min(10).max(4000),
});

export async function refuse({ ctx, reference, input }: { ctx: Ctx; reference: string; input: z.infer<typeof RefuseInput> }) {
  return await act(ctx, reference, ["dpo"], async (tx, r, me) => {
    await setStatus(tx, r, "refused", ctx.now, { closedAt: ctx.now });
    await closeOpenPauses(tx, r.id, ctx.now);
    await addEvent(tx, r.id, ctx, "refused", { reasons: input.reasons });
    // Whatever channel they used: email, an SMS pointing to the letter, or a letter to post.
    await notifyRequester(tx, ctx, r, {
      kind: "refusal",
      template: "refusal",
      message: emails.refusalNotice({ reference: r.reference, reasons: input.reasons, text: input.text }, r.locale),
      sms: (l) => emails.smsRefusal({ reference: r.reference, link: l }, r.locale),
      disclosure: false,
    });
    await audit.append(tx, { actor: me, action: "ticket.refused", reference: r.reference, details: { reasons: input.reasons }, at: ctx.now });
  });
}

async function closeOpenPauses(tx: Tx, requestId: number, now: Date) {
  await tx.update(requestPauses).set({ endedAt: now }).where(and(eq(requestPauses.requestId, requestId), isNull(requestPauses.endedAt)));
}

/** Tells the person the request is closed, and how (what was done is read from the ticket, never assumed). */
async function notifyClosing(tx: Tx, ctx: Ctx, r: RequestRow, outcome: "completed" | "cancelled" | "duplicate", duplicateOf?: string) {
  await notifyRequester(tx, ctx, r, {
    kind: outcome === "completed" ? "completion" : outcome,
    template: `closing_${outcome}`,
    message: emails.closingNotice({ reference: r.reference, outcome, duplicateOf, done: outcome === "completed" ? (await whatWasDone(tx, r)) : [], controllers: outcome === "completed" && (await canDisclose(tx, r)) ? (await controllerParts(tx, r.id, null)) : [] }, r.locale),
    sms: (l) => emails.smsClosing({ reference: r.reference, outcome, link: l }, r.locale),
    disclosure: false,
  });
}

export async function markDuplicate({ ctx, reference, of }: { ctx: Ctx; reference: string; of: string }) {
  return await act(ctx, reference, WORKERS, async (tx, r, me) => {
    const original = await first(tx.select().from(requests).where(eq(requests.reference, of.trim().toUpperCase())));
    if (!original || original.id === r.id) throw new DomainError("invalid_input", { field: "of", code: "duplicate_target" });
    requireTicketAccess(me, original);
    await setStatus(tx, r, "duplicate", ctx.now, { closedAt: ctx.now, duplicateOfId: original.id });
    await closeOpenPauses(tx, r.id, ctx.now);
    await addEvent(tx, r.id, ctx, "duplicate", { of: original.reference });
    await notifyClosing(tx, ctx, r, "duplicate", original.reference);
    await audit.append(tx, { actor: me, action: "ticket.duplicate", reference: r.reference, details: { of: original.reference }, at: ctx.now });
  });
}

export async function cancel({ ctx, reference }: { ctx: Ctx; reference: string }) {
  return await act(ctx, reference, WORKERS, async (tx, r, me) => {
    await setStatus(tx, r, "cancelled", ctx.now, { closedAt: ctx.now });
    await closeOpenPauses(tx, r.id, ctx.now);
    await addEvent(tx, r.id, ctx, "cancelled");
    await notifyClosing(tx, ctx, r, "cancelled");
    await audit.append(tx, { actor: me, action: "ticket.cancelled", reference: r.reference, details: {}, at: ctx.now });
  });
}

export async function markReady({ ctx, reference }: { ctx: Ctx; reference: string }) {
  return await act(ctx, reference, WORKERS, async (tx, r, me) => {
    await setStatus(tx, r, "ready", ctx.now);
    await addEvent(tx, r.id, ctx, "ready");
    await audit.append(tx, { actor: me, action: "ticket.ready", reference: r.reference, details: {}, at: ctx.now });
  });
}

export async function complete({ ctx, reference }: { ctx: Ctx; reference: string }) {
  return await act(ctx, reference, WORKERS, async (tx, r, me) => {
    // The part held for a client (as its processor) is answered by its instructions, not dropped.
    await requireControllersAnswered(tx, r.id);
    await setStatus(tx, r, "completed", ctx.now, { closedAt: ctx.now });
    await addEvent(tx, r.id, ctx, "completed");
    await notifyClosing(tx, ctx, r, "completed");
    await audit.append(tx, { actor: me, action: "ticket.completed", reference: r.reference, details: {}, at: ctx.now });
  });
}

export async function addNote({ ctx, reference, body }: { ctx: Ctx; reference: string; body: string }) {
  const text = body.trim();
  if (text.length < 1 || text.length > 5000) throw new DomainError("invalid_input", { field: "body" });
  return await act(ctx, reference, ["dpo", "support", "agent", "admin"], async (tx, r, me) => {
    await tx.insert(requestNotes).values({ requestId: r.id, staffId: me.id, at: ctx.now, body: text });
    await addEvent(tx, r.id, ctx, "note_added");
    await audit.append(tx, { actor: me, action: "ticket.note_added", reference: r.reference, details: {}, at: ctx.now });
  });
}

/** Staff a ticket can be assigned to. */
export async function assignableStaff(db: DbOrTx) {
  return await db
    .select({ id: staff.id, displayName: staff.displayName, role: staff.role })
    .from(staff)
    .where(and(eq(staff.active, true), inArray(staff.role, ["dpo", "support"])))
    .orderBy(asc(staff.displayName));
}

/** Reading gathered personal data from the ticket page: access checked, then audited in the same step. */
export async function auditedRead<T>(ctx: Ctx, reference: string, read: () => T): Promise<T> {
  const me = requireStaff(ctx.actor);
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    const result = await read();
    await audit.append(tx, { actor: me, action: "record.viewed", reference: r.reference, details: { what: "gathered_identity" }, at: ctx.now });
    return result;
  });
}
