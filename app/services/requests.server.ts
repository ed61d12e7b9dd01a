import { and, eq, gt, isNull, lte, sql } from "drizzle-orm";
import { createHash, randomUUID } from "node:crypto";
import {
  attachments,
  referenceCounters,
  requestEvents,
  requestPauses,
  requests,
  type Locale,
  type RequestRow,
  type Status,
  type VerificationMethod,
} from "../../db/schema/requests";
import * as emails from "../../emails";
import { encrypt, keyedHash } from "../utils/crypto.server";
import { forUpdate, insertReturning, insertRow, preparedQuery, type DbOrTx, first, withTx } from "../utils/db.server";
import { env } from "../utils/env.server";
import { log } from "../utils/log.server";
import { current as currentHits, hit } from "../utils/rate-limit.server";
import * as audit from "./audit.server";
import { actorLabel, type Ctx } from "./context";
import { computeDeadline, parisDate } from "./deadlines";
import { DomainError } from "./errors";
import type { EventType } from "./events";
import type { IntakeInput } from "./intake-input";
import { enqueue } from "./outbox.server";
import { assertTransition } from "./request-status";
import { checkSmsCode, consumeLink, currentCode, findLink, isLocked, issueLink, issueSmsCode, markUsed } from "./verification.server";
import { notifyRequester } from "./letters.server";
import { addSubjectIdentifier } from "./identifiers.server";

export type Mandate = { bytes: Buffer; mimeType: "application/pdf" | "image/jpeg" | "image/png" };

/** Identifiers are compared through keyed hashes, case- and format-insensitively. */
export function emailKey(email: string) {
  return keyedHash("email", email.trim().toLowerCase());
}
export function phoneKey(e164: string) {
  return keyedHash("phone", e164);
}

/** DSR-<year of receipt in Paris>-<6-digit yearly sequence>, allocated inside the filing transaction. */
export async function nextReference(tx: DbOrTx, receivedAt: Date): Promise<string> {
  const year = Number(parisDate(receivedAt).slice(0, 4));
  const row = (await first(bumpReferenceCounter(tx).execute({ year })))!!;
  return `DSR-${year}-${String(row.last).padStart(6, "0")}`;
}
const bumpReferenceCounter = preparedQuery((db) =>
  db
    .insert(referenceCounters)
    .values({ year: sql.placeholder("year"), last: 1 })
    .onConflictDoUpdate({ target: referenceCounters.year, set: { last: sql`${referenceCounters.last} + 1` } })
    .returning({ last: referenceCounters.last })
    .prepare(),
);

const setReference = preparedQuery((db) =>
  db
    .update(requests)
    .set({ reference: sql.placeholder("reference") as unknown as string })
    .where(eq(requests.id, sql.placeholder("id")))
    .prepare(),
);

export async function addEvent(tx: DbOrTx, requestId: number, ctx: Ctx, type: EventType, data: Record<string, unknown> = {}) {
  await insertRow(tx, requestEvents, { requestId, at: ctx.now, type, actor: actorLabel(ctx.actor), data });
}

export function link(path: string) {
  return `${env().BASE_URL}${path}`;
}

/** Sends the verification link or code; used at filing and when a new code is asked for. */
async function sendVerification(tx: DbOrTx, ctx: Ctx, r: Pick<RequestRow, "id" | "reference" | "locale" | "email" | "phone" | "verificationMethod">) {
  const e = env();
  if (r.verificationMethod === "email" && r.email) {
    const token = await issueLink(tx, r.id, "email_link", ctx.now);
    const m = emails.verification({ link: link(`/verification/${token}`), reference: r.reference, ttlHours: e.VERIFICATION_LINK_TTL_HOURS }, r.locale);
    await enqueue(tx, { channel: "email", to: r.email, template: "verification", ...m, requestId: r.id, expiresAt: new Date(ctx.now.getTime() + e.VERIFICATION_LINK_TTL_HOURS * 3_600_000) }, ctx.now);
  } else if (r.phone) {
    const code = await issueSmsCode(tx, r.id, ctx.now);
    const m = emails.smsCode({ code, reference: r.reference, ttlMinutes: e.SMS_CODE_TTL_MINUTES }, r.locale);
    await enqueue(tx, { channel: "sms", to: r.phone, template: "sms_code", text: m.text, requestId: r.id, expiresAt: new Date(ctx.now.getTime() + e.SMS_CODE_TTL_MINUTES * 60_000) }, ctx.now);
  }
  await addEvent(tx, r.id, ctx, "verification_sent", { method: r.verificationMethod });
}

/**
 * Files a web request: the request, its timeline, the paused clock, the
 * mandate and the verification message are one transaction.
 */
export async function file({ ctx, input, locale, mandate }: { ctx: Ctx; input: IntakeInput; locale: Locale; mandate: Mandate | null }) {
  return await withTx(ctx, async (tx) => {
    // The number is taken last (below): the year's counter row stays locked from then until the commit, so
    // that numbers are gapless, and every filing waits behind that lock (PostgreSQL: other processes' too).
    // Until then the row holds a placeholder no one else can see or collide with.
    const placeholder = `filing-${randomUUID()}`;
    const filed = await insertReturning(tx, requests, {
      reference: placeholder,
      rights: input.rights,
      channel: "web",
      status: "awaiting_verification",
      locale,
      lastName: input.lastName,
      firstName: input.firstName,
      email: input.email || null,
      phone: input.phone || null,
      onBehalf: input.onBehalf === "other",
      subjectLastName: input.onBehalf === "other" ? input.subjectLastName : null,
      subjectFirstName: input.onBehalf === "other" ? input.subjectFirstName : null,
      mandateStatus: input.onBehalf === "other" ? "pending" : null,
      mandateUntil: input.onBehalf === "other" ? input.mandateUntil : null,
      mandateScope: input.onBehalf === "other" ? input.mandateScope : null,
      mandateAnswerTo: input.onBehalf === "other" ? input.mandateAnswerTo : null,
      details: input.details || null,
      rectificationWrong: input.rights.includes("rectification") ? input.rectificationWrong : null,
      rectificationCorrect: input.rights.includes("rectification") ? input.rectificationCorrect : null,
      contactConsent: input.contactConsent,
      verificationMethod: input.verificationMethod,
      emailKey: input.email ? emailKey(input.email) : null,
      phoneKey: input.phone ? phoneKey(input.phone) : null,
      receivedAt: ctx.now,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
    const row = { ...filed };
    await addEvent(tx, row.id, ctx, "filed", { channel: "web", rights: input.rights, onBehalf: row.onBehalf });
    // The represented person's own identifiers, kept pending until a link sent to them comes back.
    if (input.onBehalf === "other") {
      if (input.subjectEmail) await addSubjectIdentifier(tx, row.id, "email", input.subjectEmail.trim().toLowerCase(), ctx.now);
      if (input.subjectPhone) await addSubjectIdentifier(tx, row.id, "phone", input.subjectPhone, ctx.now);
    }
    // Décret 2019-536 art. 77: the clock does not run while identity is unconfirmed.
    await insertRow(tx, requestPauses, { requestId: row.id, reason: "identity_verification", startedAt: ctx.now });
    await addEvent(tx, row.id, ctx, "clock_paused", { reason: "identity_verification" });
    const reference = await nextReference(tx, ctx.now);
    await setReference(tx).execute({ id: row.id, reference });
    row.reference = reference;
    if (mandate) {
      await tx.insert(attachments)
        .values({
          requestId: row.id,
          kind: "mandate",
          mimeType: mandate.mimeType,
          size: mandate.bytes.length,
          sha256: createHash("sha256").update(mandate.bytes).digest("hex"),
          ciphertext: encrypt(mandate.bytes, `attachment:${reference}`),
          createdAt: ctx.now,
        });
    }
    await sendVerification(tx, ctx, row);
    await audit.append(tx, { actor: ctx.actor, action: "ticket.filed", reference, details: { channel: "web", rights: input.rights }, at: ctx.now });
    log.info("request.filed", { reference, method: row.verificationMethod });
    return { id: row.id, reference, verificationMethod: row.verificationMethod };
  });
}

/** The request, locked until the transaction ends when read inside one (PostgreSQL; SQLite's writer holds the file). */
export async function getById(tx: DbOrTx, id: number): Promise<RequestRow> {
  const [row] = await forUpdate(tx, tx.select().from(requests).where(eq(requests.id, id)).limit(1));
  if (!row) throw new DomainError("not_found");
  return row;
}

export async function findByReference(db: DbOrTx, reference: string): Promise<RequestRow | undefined> {
  return await first(db.select().from(requests).where(eq(requests.reference, reference)));
}

/** Recomputes and stores the legal deadline from receipt, pauses and extension. */
export async function refreshDeadline(tx: DbOrTx, r: RequestRow, now: Date) {
  const pauses = await tx.select().from(requestPauses).where(eq(requestPauses.requestId, r.id));
  const d = computeDeadline({
    receivedAt: r.receivedAt,
    pauses: pauses.map((p) => ({ start: p.startedAt, end: p.endedAt })),
    extended: r.extended,
    profile: r.holidayProfile,
    now,
  });
  await tx.update(requests)
    .set({ dueOn: d.dueOn, extendedDueOn: r.extended ? d.extendedDueOn : null, effectiveDueOn: d.effectiveDueOn, updatedAt: now })
    .where(eq(requests.id, r.id));
  return d;
}

export async function setStatus(tx: DbOrTx, r: RequestRow, to: Status, now: Date, extra: Partial<RequestRow> = {}) {
  assertTransition(r.status, to);
  await tx.update(requests).set({ status: to, updatedAt: now, ...extra }).where(eq(requests.id, r.id));
}

/** Which contacts a way of verifying proves: the one a link or code reached (ADR 0011). */
export type Proven = { email?: boolean; phone?: boolean; postal?: boolean };

/**
 * Identity proven: the clock resumes, the contact the proof reached is
 * recorded as the requester's, the requester is told the reference and the
 * due date.
 */
async function completeVerification(tx: DbOrTx, ctx: Ctx, r: RequestRow, method: VerificationMethod, proven: Proven) {
  const stamps = {
    verifiedAt: ctx.now,
    verificationMethod: method,
    emailVerifiedAt: proven.email && r.email ? ctx.now : r.emailVerifiedAt,
    phoneVerifiedAt: proven.phone && r.phone ? ctx.now : r.phoneVerifiedAt,
    postalVerifiedAt: proven.postal && r.postalAddress ? ctx.now : r.postalVerifiedAt,
  };
  await setStatus(tx, r, "received", ctx.now, stamps);
  const verified = { ...r, ...stamps, status: "received" as const };
  await tx.update(requestPauses)
    .set({ endedAt: ctx.now })
    .where(and(eq(requestPauses.requestId, r.id), eq(requestPauses.reason, "identity_verification"), isNull(requestPauses.endedAt)));
  await addEvent(tx, r.id, ctx, "verified", { method });
  const d = await refreshDeadline(tx, r, ctx.now);
  await addEvent(tx, r.id, ctx, "clock_resumed", { pausedDays: d.pausedDays, dueOn: d.dueOn });
  const data = { reference: r.reference, rights: r.rights, receivedOn: d.receivedOn, dueOn: d.dueOn, pausedDays: d.pausedDays };
  const sent = await notifyRequester(tx, ctx, verified, {
    kind: "acknowledgement",
    template: "acknowledgement",
    // The status link is the letter's own way back: it goes in the email and in the SMS.
    message: emails.acknowledgement({ ...data, statusLink: link(`/suivi/lien/${(await issueLink(tx, r.id, "status_link", ctx.now))}`) }, r.locale),
    sms: (statusLink) => emails.smsAcknowledgement({ ...data, statusLink }, r.locale).text,
    disclosure: false,
  });
  await addEvent(tx, r.id, ctx, "acknowledged", { channel: sent.delivery });
  await audit.append(tx, { actor: ctx.actor, action: "ticket.verified", reference: r.reference, details: { method, dueOn: d.dueOn }, at: ctx.now });
  log.info("request.verified", { reference: r.reference, method });
  return { id: r.id, reference: r.reference, dueOn: d.dueOn };
}

/** What each way of verifying proves, when the caller does not say more. */
export function provenBy(method: VerificationMethod): Proven {
  if (method === "email") return { email: true };
  if (method === "sms" || method === "callback") return { phone: true };
  if (method === "postal") return { postal: true };
  return {};
}

export type VerifyResult = { ok: true; id: number; reference: string; dueOn: string } | { ok: false; reason: "invalid" | "locked"; attemptsLeft: number };

/** Peek without consuming: the confirmation page shows a button, because mail scanners follow links. */
export async function emailLinkIsUsable(db: DbOrTx, token: string, now: Date): Promise<boolean> {
  const row = await findLink(db, token, "email_link", now);
  if (!row) return false;
  return (await getById(db, row.requestId)).status === "awaiting_verification";
}

export async function verifyEmailLink({ ctx, token }: { ctx: Ctx; token: string }): Promise<VerifyResult> {
  return await withTx(ctx, async (tx) => {
    const row = await findLink(tx, token, "email_link", ctx.now);
    if (!row) return { ok: false, reason: "invalid", attemptsLeft: 0 };
    const r = await getById(tx, row.requestId);
    if (r.status !== "awaiting_verification") return { ok: false, reason: "invalid", attemptsLeft: 0 };
    await markUsed(tx, row.id, ctx.now);
    return { ok: true, ...(await completeVerification(tx, ctx, r, "email", { email: true })) };
  });
}

export async function verifySmsCode({ ctx, requestId, code }: { ctx: Ctx; requestId: number; code: string }): Promise<VerifyResult> {
  return await withTx(ctx, async (tx) => {
    const r = await first(tx.select().from(requests).where(eq(requests.id, requestId)));
    if (!r || r.status !== "awaiting_verification") return { ok: false, reason: "invalid", attemptsLeft: 0 };
    const check = await checkSmsCode(tx, r.id, code, ctx.now);
    if (!check.ok) return check;
    await markUsed(tx, check.tokenId, ctx.now);
    return { ok: true, ...(await completeVerification(tx, ctx, r, "sms", { phone: true })) };
  });
}

/**
 * Records identity as proven by other means than the public link or code:
 * a code read back to an agent (the contact it went to), a document shown
 * in person (no contact), a call-back, a code returned by post.
 */
export async function confirmIdentity({ ctx, requestId, method, proven }: { ctx: Ctx; requestId: number; method: VerificationMethod; proven?: Proven }) {
  return await withTx(ctx, async (tx) => await completeVerification(tx, ctx, await getById(tx, requestId), method, proven ?? provenBy(method)));
}

/** New SMS codes one request may get per SMS_LOCKOUT_MINUTES, whoever asks (its filer's browser or the follow-up form). */
export const NEW_CODES_PER_WINDOW = 3;

export type NewCodeOutcome =
  | { sent: true }
  /** not a request awaiting a code by SMS: nothing to send */
  | { sent: false; reason: "not_applicable" }
  /** the current code is locked (too many wrong tries) and was sent less than SMS_LOCKOUT_MINUTES ago */
  | { sent: false; reason: "cooling_down"; retryAfterSeconds: number }
  /** NEW_CODES_PER_WINDOW already sent in this window */
  | { sent: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * A fresh code with fresh attempts for a request awaiting verification by
 * SMS. A lock-out (SMS_CODE_MAX_ATTEMPTS wrong codes) holds until
 * SMS_LOCKOUT_MINUTES after the locked code was sent, never longer: after
 * that a new code is always one ask away, within NEW_CODES_PER_WINDOW per
 * window for the request (so whoever asks cannot flood the phone).
 */
async function newSmsCode(tx: DbOrTx, ctx: Ctx, r: RequestRow, askedFrom: "filing_browser" | "follow_up"): Promise<NewCodeOutcome> {
  if (r.status !== "awaiting_verification" || r.verificationMethod !== "sms" || !r.phone) return { sent: false, reason: "not_applicable" };
  const windowMs = env().SMS_LOCKOUT_MINUTES * 60_000;
  const current = await currentCode(tx, r.id);
  if (current && isLocked(current)) {
    const until = current.createdAt.getTime() + windowMs;
    if (ctx.now.getTime() < until) return { sent: false, reason: "cooling_down", retryAfterSeconds: Math.ceil((until - ctx.now.getTime()) / 1000) };
  }
  const allowed = await hit(tx, "sms:new-code", String(r.id), NEW_CODES_PER_WINDOW, windowMs, ctx.now);
  if (!allowed.allowed) return { sent: false, reason: "rate_limited", retryAfterSeconds: allowed.retryAfterSeconds };
  await sendVerification(tx, ctx, r);
  await audit.append(tx, { actor: ctx.actor, action: "ticket.code_sent", reference: r.reference, details: { via: "sms", askedFrom }, at: ctx.now });
  return { sent: true };
}

/** A new confirmation link for a request confirmed by email, at most NEW_CODES_PER_WINDOW per lock-out window. */
async function newEmailLink(tx: DbOrTx, ctx: Ctx, r: RequestRow) {
  if (r.status !== "awaiting_verification" || r.verificationMethod !== "email" || !r.email) return;
  if (!(await hit(tx, "email:new-link", String(r.id), NEW_CODES_PER_WINDOW, env().SMS_LOCKOUT_MINUTES * 60_000, ctx.now)).allowed) return;
  await sendVerification(tx, ctx, r);
  await audit.append(tx, { actor: ctx.actor, action: "ticket.code_sent", reference: r.reference, details: { via: "email", askedFrom: "follow_up" }, at: ctx.now });
}

/** "Send me a new code", from the browser that filed (its signed pending cookie names the request). */
export async function resendSmsCode({ ctx, requestId }: { ctx: Ctx; requestId: number }): Promise<NewCodeOutcome> {
  return await withTx(ctx, async (tx) => {
    const r = await first(tx.select().from(requests).where(eq(requests.id, requestId)));
    return r ? (await newSmsCode(tx, ctx, r, "filing_browser")) : { sent: false, reason: "not_applicable" };
  });
}

/**
 * What a browser that used the follow-up form holds (a signed cookie): the
 * reference and the keyed hash of the phone typed, matched or not.
 */
export type FollowUpClaim = { id: string; reference: string; phoneKey: string; issuedAt: Date };

/**
 * "Send me a new code" from a browser that went through the follow-up form:
 * a code goes only when the claim's reference and phone match a request
 * waiting for one, and the caller is never told which (the claim's own
 * window counts asks, matched or not, so a stranger cannot flood a phone).
 */
export async function resendSmsCodeByClaim({ ctx, claim }: { ctx: Ctx; claim: FollowUpClaim }): Promise<void> {
  await withTx(ctx, async (tx) => {
    if (!(await hit(tx, "sms:claim-new-code", claim.id, NEW_CODES_PER_WINDOW, env().SMS_LOCKOUT_MINUTES * 60_000, ctx.now)).allowed) return;
    const r = await findByReference(tx, claim.reference);
    if (r && r.phoneKey === claim.phoneKey) await newSmsCode(tx, ctx, r, "follow_up");
  });
}

/**
 * A code typed after the follow-up form sent one. The answer depends only on
 * the claim — its age and its own count of tries — never on whether the
 * reference and phone matched a request, so typing codes cannot reveal what
 * the form does not. A claim that does match also counts the try against the
 * request's code, whose lock holds for everyone.
 */
export async function verifySmsCodeByClaim({ ctx, claim, code }: { ctx: Ctx; claim: FollowUpClaim; code: string }): Promise<VerifyResult> {
  const e = env();
  return await withTx(ctx, async (tx) => {
    if (ctx.now.getTime() - claim.issuedAt.getTime() > e.SMS_CODE_TTL_MINUTES * 60_000) return { ok: false, reason: "invalid", attemptsLeft: 0 };
    const windowMs = e.SMS_LOCKOUT_MINUTES * 60_000;
    if (!(await hit(tx, "sms:claim", claim.id, e.SMS_CODE_MAX_ATTEMPTS, windowMs, ctx.now)).allowed) return { ok: false, reason: "locked", attemptsLeft: 0 };
    const tries = await currentHits(tx, "sms:claim", claim.id, windowMs, ctx.now);
    const r = await findByReference(tx, claim.reference);
    if (r && r.status === "awaiting_verification" && r.verificationMethod === "sms" && r.phoneKey === claim.phoneKey) {
      const check = await checkSmsCode(tx, r.id, code, ctx.now);
      if (check.ok) {
        await markUsed(tx, check.tokenId, ctx.now);
        return { ok: true, ...(await completeVerification(tx, ctx, r, "sms", { phone: true })) };
      }
    }
    const left = e.SMS_CODE_MAX_ATTEMPTS - tries;
    return left > 0 ? { ok: false, reason: "invalid", attemptsLeft: left } : { ok: false, reason: "locked", attemptsLeft: 0 };
  });
}

const DAY_MS = 86_400_000;

/** The Paris date a request filed at `receivedAt` lapses if still unconfirmed. */
function lapsesOn(receivedAt: Date): string {
  return parisDate(new Date(receivedAt.getTime() + env().UNVERIFIED_EXPIRY_DAYS * DAY_MS));
}

/**
 * One reminder, VERIFICATION_REMINDER_HOURS after filing, to a web request
 * still waiting for its link or code: a fresh link by email, or a fresh code
 * by SMS, to the contact given (where the first one went), with the day it
 * lapses. The stamp is set by compare-and-set inside the transaction that
 * queues the message, so of two processes sweeping at once one reminds.
 */
export async function remindUnverified({ ctx }: { ctx: Ctx }): Promise<number> {
  const e = env();
  const due = new Date(ctx.now.getTime() - e.VERIFICATION_REMINDER_HOURS * 3_600_000);
  const lapse = new Date(ctx.now.getTime() - e.UNVERIFIED_EXPIRY_DAYS * DAY_MS);
  const candidates = await ctx.db
    .select({ id: requests.id })
    .from(requests)
    .where(
      and(
        eq(requests.status, "awaiting_verification"),
        eq(requests.channel, "web"),
        isNull(requests.verificationRemindedAt),
        lte(requests.receivedAt, due),
        gt(requests.receivedAt, lapse),
      ),
    );
  let reminded = 0;
  for (const { id } of candidates) {
    const won = await withTx(ctx, async (tx) => {
      // A code locked by wrong tries keeps its cool-down (SMS_LOCKOUT_MINUTES): the reminder waits for a later sweep.
      const locked = await currentCode(tx, id);
      if (locked && isLocked(locked) && ctx.now.getTime() < locked.createdAt.getTime() + e.SMS_LOCKOUT_MINUTES * 60_000) return false;
      const taken = await tx
        .update(requests)
        .set({ verificationRemindedAt: ctx.now })
        .where(and(eq(requests.id, id), isNull(requests.verificationRemindedAt), eq(requests.status, "awaiting_verification")));
      if (taken.changes !== 1) return false;
      const r = await getById(tx, id);
      if (r.verificationMethod === "email" && r.email) {
        const token = await issueLink(tx, r.id, "email_link", ctx.now);
        const m = emails.verificationReminder(
          { link: link(`/verification/${token}`), reference: r.reference, filedOn: parisDate(r.receivedAt), lapsesOn: lapsesOn(r.receivedAt), ttlHours: e.VERIFICATION_LINK_TTL_HOURS },
          r.locale,
        );
        await enqueue(tx, { channel: "email", to: r.email, template: "verification_reminder", ...m, requestId: r.id, expiresAt: new Date(ctx.now.getTime() + e.VERIFICATION_LINK_TTL_HOURS * 3_600_000) }, ctx.now);
      } else if (r.verificationMethod === "sms" && r.phone) {
        const code = await issueSmsCode(tx, r.id, ctx.now);
        const m = emails.smsVerificationReminder({ code, reference: r.reference, lapsesOn: lapsesOn(r.receivedAt), ttlMinutes: e.SMS_CODE_TTL_MINUTES, followLink: link("/suivi") }, r.locale);
        await enqueue(tx, { channel: "sms", to: r.phone, template: "sms_verification_reminder", text: m.text, requestId: r.id, expiresAt: new Date(ctx.now.getTime() + e.SMS_CODE_TTL_MINUTES * 60_000) }, ctx.now);
      } else {
        // Nothing to remind through (no contact for the method): stamped all the same, so it is not looked at again.
        return false;
      }
      await addEvent(tx, r.id, ctx, "verification_reminded", { method: r.verificationMethod });
      await audit.append(tx, { actor: ctx.actor, action: "ticket.verification_reminded", reference: r.reference, details: { via: r.verificationMethod }, at: ctx.now });
      return true;
    });
    if (won) reminded++;
  }
  if (reminded) log.info("request.verification_reminded", { count: reminded });
  return reminded;
}

/**
 * Unverified requests lapse after UNVERIFIED_EXPIRY_DAYS; run by the worker
 * loop. A web request's filer is told, by the channel they chose, in the
 * same transaction: the notice goes once, with the lapse.
 */
export async function expireUnverified({ ctx }: { ctx: Ctx }): Promise<number> {
  const e = env();
  const cutoff = new Date(ctx.now.getTime() - e.UNVERIFIED_EXPIRY_DAYS * DAY_MS);
  const stale = await ctx.db
    .select()
    .from(requests)
    .where(and(eq(requests.status, "awaiting_verification"), lte(requests.receivedAt, cutoff)));
  let expired = 0;
  for (const r of stale) {
    // Only a request still awaiting verification once this transaction holds its row: two sweeps act and audit once.
    const won = await withTx(ctx, async (tx) => {
      const fresh = await getById(tx, r.id);
      if (fresh.status !== "awaiting_verification") return false;
      await setStatus(tx, fresh, "expired_unverified", ctx.now, { closedAt: ctx.now });
      await tx.update(requestPauses).set({ endedAt: ctx.now }).where(and(eq(requestPauses.requestId, r.id), isNull(requestPauses.endedAt)));
      const notified = fresh.channel === "web" ? (await lapseNotice(tx, ctx, fresh)) : null;
      await addEvent(tx, r.id, ctx, "expired", notified ? { afterDays: e.UNVERIFIED_EXPIRY_DAYS, notified } : { afterDays: e.UNVERIFIED_EXPIRY_DAYS });
      await audit.append(tx, { actor: ctx.actor, action: "ticket.expired", reference: r.reference, details: notified ? { notified } : {}, at: ctx.now });
      return true;
    });
    if (won) expired++;
  }
  if (expired) log.info("request.expired_unverified", { count: expired });
  return expired;
}

/**
 * The lapse notice. Its dates are the facts: filed on, not confirmed by
 * (today, the lapse), and the day retention removes the identity at the
 * latest (its daily run after UNVERIFIED_PURGE_GRACE_DAYS).
 */
async function lapseNotice(tx: DbOrTx, ctx: Ctx, r: RequestRow): Promise<"email" | "sms" | null> {
  const e = env();
  const purgeOn = parisDate(new Date(ctx.now.getTime() + (e.UNVERIFIED_PURGE_GRACE_DAYS + 1) * DAY_MS));
  const fileLink = link("/demande");
  if (r.verificationMethod === "email" && r.email) {
    const m = emails.unconfirmedLapsed({ reference: r.reference, filedOn: parisDate(r.receivedAt), lapsedOn: parisDate(ctx.now), purgeOn, fileLink }, r.locale);
    await enqueue(tx, { channel: "email", to: r.email, template: "unconfirmed_lapsed", ...m, requestId: r.id }, ctx.now);
    return "email";
  }
  if (r.verificationMethod === "sms" && r.phone) {
    const m = emails.smsUnconfirmedLapsed({ reference: r.reference, purgeOn, fileLink }, r.locale);
    await enqueue(tx, { channel: "sms", to: r.phone, template: "sms_unconfirmed_lapsed", text: m.text, requestId: r.id }, ctx.now);
    return "sms";
  }
  return null;
}

/**
 * "Send me my status link": answers the same way whether or not the pair
 * exists, so the form cannot be used to learn who filed a request.
 */
export async function sendStatusLink({ ctx, reference, contact }: { ctx: Ctx; reference: string; contact: { email: string } | { phone: string } }) {
  await withTx(ctx, async (tx) => {
    const r = await findByReference(tx, reference);
    const matches = r && ("email" in contact ? r.emailKey === emailKey(contact.email) : r.phoneKey === phoneKey(contact.phone));
    if (!r || !matches) return;
    if (r.status === "awaiting_verification") {
      // Not confirmed yet: a request waiting for a code by SMS gets a new one
      // at the phone typed (the browser enters it at /demande/envoyee). The
      // outcome is not told: refused or sent, the page reads the same.
      if ("phone" in contact) await newSmsCode(tx, ctx, r, "follow_up");
      // One confirmed by email gets a new confirmation link at its address (the earlier one may have expired unsent).
      else await newEmailLink(tx, ctx, r);
      return;
    }
    const token = await issueLink(tx, r.id, "status_link", ctx.now);
    const url = link(`/suivi/lien/${token}`);
    if ("email" in contact && r.email) {
      const m = emails.statusLink({ link: url, reference: r.reference, ttlDays: env().STATUS_LINK_TTL_DAYS }, r.locale);
      await enqueue(tx, { channel: "email", to: r.email, template: "status_link", ...m, requestId: r.id }, ctx.now);
    } else if (r.phone) {
      const m = emails.smsStatusLink({ link: url, reference: r.reference }, r.locale);
      await enqueue(tx, { channel: "sms", to: r.phone, template: "sms_status_link", text: m.text, requestId: r.id }, ctx.now);
    }
  });
}

/**
 * The request a status link opens, spending the link: null when it is
 * unknown, expired or already used. What it opens lasts as long as the
 * follow cookie the route gives in exchange (docs/security.md).
 */
export async function openStatusLink(db: DbOrTx, token: string, now: Date): Promise<number | null> {
  return (await consumeLink(db, token, "status_link", now))?.requestId ?? null;
}

/** For the "check your messages" page right after filing. */
export async function pendingView(db: DbOrTx, requestId: number) {
  const r = await first(db
    .select({ reference: requests.reference, status: requests.status, verificationMethod: requests.verificationMethod, phone: requests.phone })
    .from(requests)
    .where(eq(requests.id, requestId)));
  if (!r) return null;
  // Only the last two digits, so the person can check the number without the page showing it whole.
  const { phone, ...rest } = r;
  return { ...rest, phoneEnd: r.verificationMethod === "sms" && phone ? phone.slice(-2) : null };
}

