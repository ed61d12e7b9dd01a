import { and, asc, eq, isNull } from "drizzle-orm";
import { createHash } from "node:crypto";
import { letters, type LetterRow, type RequestRow } from "../../db/schema/requests";
import { outbox } from "../../db/schema/outbox";
import { letterHtml, type Rendered } from "../../emails/layout";
import { formatParisDate } from "../i18n";
import { decrypt, encrypt } from "../utils/crypto.server";
import type { DbOrTx } from "../utils/db.server";
import * as audit from "./audit.server";
import { requireRole, requireStaff } from "./authz";
import { reach, type Reach } from "./contacts.server";
import type { Ctx } from "./context";
import { DomainError } from "./errors";
import { loadTicket } from "./ticket-access.server";
import { enqueue } from "./outbox.server";
import { addEvent, link } from "./requests.server";
import { issueLink } from "./verification.server";
import { first, withTx } from "../utils/db.server";

/**
 * Every decision reaches the person, whatever channel they used (issue 13,
 * item 8). The decision is rendered once (the email template), kept as a
 * letter the person can read again behind their status page, and sent:
 *  - by email, in full;
 *  - by SMS, a short text with a link to the full letter (status page, after
 *    the usual verification), when only a mobile number is known;
 *  - by post, as a printable letter the agent prints and marks as posted,
 *    when only a postal address is known.
 * When nothing can reach the person the action is refused with the reason,
 * so no decision is taken that the person would never hear of.
 */
export type Notice = {
  /** what the letter is: refusal, extension, info_request, no_data, completion… */
  kind: string;
  /** the outbox template name for the email */
  template: string;
  message: Rendered;
  /** the short SMS, given the link to the full letter */
  sms: (link: string) => string;
  /** it carries the person's data: only a proven contact may receive it */
  disclosure: boolean;
  /** this channel only (a code by post goes by post, whatever else is known) */
  via?: Reach["channel"];
};

const letterAad = (requestId: number, kind: string, at: Date) => `letter:${requestId}:${kind}:${at.getTime()}`;

type NotifyFields = RequestRow;

/** Why a message cannot be sent: the route shows it (409). */
export function unreachable(disclosure: boolean): DomainError {
  return new DomainError("conflict", { code: disclosure ? "no_proven_contact" : "unreachable" });
}

/** Sends a decision to the person and keeps it as a letter; throws `unreachable` when nothing can reach them. */
export async function notifyRequester(tx: DbOrTx, ctx: Ctx, r: NotifyFields, n: Notice): Promise<{ delivery: Reach["channel"]; letterId: number }> {
  const to: Reach | null =
    n.via === "post" ? (r.postalAddress ? { channel: "post", name: `${r.firstName} ${r.lastName}`, address: r.postalAddress, proven: !!r.postalVerifiedAt } : null) : (await reach(tx, r, { disclosure: n.disclosure }));
  if (!to) throw unreachable(n.disclosure);
  const html = letterHtml(n.message, {
    reference: r.reference,
    date: formatParisDate(ctx.now, r.locale === "en" ? "en-GB" : "fr-FR"),
    to: to.channel === "post" ? { name: to.name, address: to.address } : undefined,
  });
  let outboxId: number | null = null;
  if (to.channel === "email") {
    outboxId = (await enqueue(tx, { channel: "email", to: to.to, template: n.template, subject: n.message.subject, text: n.message.text, html: n.message.html, requestId: r.id }, ctx.now));
  } else if (to.channel === "sms") {
    const token = await issueLink(tx, r.id, "status_link", ctx.now);
    outboxId = (await enqueue(tx, { channel: "sms", to: to.to, template: `sms_${n.template}`, text: n.sms(link(`/suivi/lien/${token}`)), requestId: r.id }, ctx.now));
  }
  const row = (await first(tx
    .insert(letters)
    .values({
      requestId: r.id,
      kind: n.kind,
      subject: n.message.subject,
      html: encrypt(Buffer.from(html), letterAad(r.id, n.kind, ctx.now)),
      sha256: createHash("sha256").update(html).digest("hex"),
      delivery: to.channel,
      outboxId,
      createdAt: ctx.now,
    })
    .returning({ id: letters.id })))!;
  if (to.channel === "post") await addEvent(tx, r.id, ctx, "letter_to_post", { kind: n.kind });
  return { delivery: to.channel, letterId: row.id };
}

/** True when a disclosure could reach the person now (the ticket page says so before anyone tries). */
export async function canDisclose(db: DbOrTx, r: NotifyFields): Promise<boolean> {
  return (await reach(db, r, { disclosure: true })) !== null;
}

export type LetterSummary = { id: number; kind: string; subject: string; delivery: LetterRow["delivery"]; createdAt: Date; postedAt: Date | null };

/** The letters of a request, oldest first (no content: the subject line carries no personal data). */
export async function lettersOf(db: DbOrTx, requestId: number): Promise<LetterSummary[]> {
  return await db
    .select({ id: letters.id, kind: letters.kind, subject: letters.subject, delivery: letters.delivery, createdAt: letters.createdAt, postedAt: letters.postedAt })
    .from(letters)
    .where(eq(letters.requestId, requestId))
    .orderBy(asc(letters.createdAt), asc(letters.id));
}

/** Where each emailed or texted letter stands in the outbox (sent, when; still being sent; given up), for the staff ticket page. */
export async function sendStates(db: DbOrTx, requestId: number): Promise<Record<number, { state: "sent" | "queued" | "expired"; sentAt: Date | null }>> {
  const rows = await db
    .select({ id: letters.id, status: outbox.status, sentAt: outbox.sentAt })
    .from(letters)
    .innerJoin(outbox, eq(outbox.id, letters.outboxId))
    .where(eq(letters.requestId, requestId));
  return Object.fromEntries(rows.map((r) => [r.id, { state: r.status === "pending" ? "queued" : r.status, sentAt: r.sentAt }]));
}

/** One letter's HTML, for the requester who holds the request's follow session. */
export async function letterFor(db: DbOrTx, requestId: number, letterId: number): Promise<{ html: string; subject: string } | null> {
  const row = await first(db.select().from(letters).where(and(eq(letters.id, letterId), eq(letters.requestId, requestId))));
  // Emptied by the retention job (docs/retention.md): the letter's subject, date and SHA-256 stay, its text is gone.
  if (!row || row.html.length === 0) return null;
  return { html: decrypt(row.html, letterAad(row.requestId, row.kind, row.createdAt)).toString(), subject: row.subject };
}

/** One letter for staff (to print and post): ticket access checked, the reading audited. */
export async function letterForStaff({ ctx, reference, letterId }: { ctx: Ctx; reference: string; letterId: number }) {
  const me = requireStaff(ctx.actor);
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    const letter = await letterFor(tx, r.id, letterId);
    if (!letter) throw new DomainError("not_found");
    await audit.append(tx, { actor: me, action: "record.viewed", reference, details: { what: "letter", letter: letterId }, at: ctx.now });
    return letter;
  });
}

/** The agent printed the letter and posted it: recorded on the ticket, once. */
export async function markPosted({ ctx, reference, letterId }: { ctx: Ctx; reference: string; letterId: number }) {
  const me = requireRole(ctx.actor, "agent", "support", "dpo");
  await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    const row = await first(tx.select().from(letters).where(and(eq(letters.id, letterId), eq(letters.requestId, r.id), eq(letters.delivery, "post"))));
    if (!row) throw new DomainError("not_found");
    if (row.postedAt) throw new DomainError("illegal_transition", { code: "already_posted" });
    await tx.update(letters).set({ postedAt: ctx.now, postedBy: me.id }).where(and(eq(letters.id, row.id), isNull(letters.postedAt)));
    await addEvent(tx, r.id, ctx, "letter_posted", { kind: row.kind });
    await audit.append(tx, { actor: me, action: "letter.posted", reference, details: { letter: row.id, kind: row.kind }, at: ctx.now });
  });
}
