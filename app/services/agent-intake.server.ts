import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { AGENT_VERIFICATIONS, CHANNELS, RIGHTS, SITES } from "../../db/schema/enums";
import { requestPauses, requests, type RequestRow } from "../../db/schema/requests";
import * as emails from "../../emails";
import type { Registry } from "../connectors/registry";
import type { DbOrTx } from "../utils/db.server";
import { env } from "../utils/env.server";
import { log, scrub } from "../utils/log.server";
import * as audit from "./audit.server";
import { requireRole } from "./authz";
import { canReceiveSms } from "./contacts.server";
import type { Ctx } from "./context";
import { DomainError } from "./errors";
import { loadTicket } from "./ticket-access.server";
import { normaliseAnyPhone, normalisePhone } from "./intake-input";
import { notifyRequester } from "./letters.server";
import { enqueue } from "./outbox.server";
import { parisLocalToInstant } from "../utils/paris-time";
import { addEvent, confirmIdentity, emailKey, nextReference, phoneKey } from "./requests.server";
import { checkSmsCode, issueSmsCode, markUsed, type CodePurpose } from "./verification.server";
import { rawGet, withTx, first } from "../utils/db.server";

/**
 * Requests received by phone, letter, email or in person, typed in by an
 * agent. The legal clock starts at the real moment of receipt, not when the
 * agent gets round to typing it.
 *
 * Identity and contacts (ADR 0011). What a caller says is not proof: a
 * contact is proven only when a code sent to it is read back (or the agent
 * calls back a number that our systems already hold, or a code sent by post
 * comes back). A document can be shown only in person; it proves who the
 * person is, not which email or phone is theirs, so those still need a code
 * before anything is searched with them or sent to them.
 */
export { AGENT_VERIFICATIONS as VERIFICATIONS, type AgentVerification } from "../../db/schema/enums";

export const AgentIntakeInput = z
  .object({
    channel: z.enum(CHANNELS.filter((c) => c !== "web") as ["phone", "email", "mail", "in_person"]),
    receivedAtLocal: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, { error: "invalid_datetime" }),
    site: z.enum(SITES),
    rights: z.array(z.enum(RIGHTS)).min(1, { error: "rights_required" }),
    lastName: z.string().trim().min(1, { error: "required" }).max(100),
    firstName: z.string().trim().min(1, { error: "required" }).max(100),
    email: z.union([z.literal(""), z.email({ error: "email_invalid" }).max(254)]),
    phone: z.string().trim().max(40),
    postalAddress: z.string().trim().max(500).default(""),
    postcode: z
      .string()
      .trim()
      .max(10)
      .default("")
      .refine((v) => v === "" || /^\d{5}$/.test(v), { error: "postcode_invalid" }),
    details: z.string().trim().max(5000),
    verification: z.enum(AGENT_VERIFICATIONS, { error: "invalid" }),
  })
  .transform((v, ctx) => {
    // Callers ring from landlines too; only an SMS code needs a mobile.
    const phone = v.phone ? normaliseAnyPhone(v.phone) : "";
    if (phone === null) ctx.addIssue({ code: "custom", path: ["phone"], message: "phone_invalid" });
    if (!v.email && !v.phone && !v.postalAddress) ctx.addIssue({ code: "custom", path: ["email"], message: "contact_required" });
    if (v.postalAddress && !v.postcode) ctx.addIssue({ code: "custom", path: ["postcode"], message: "required" });
    switch (v.verification) {
      case "code_sms":
        if (!phone) ctx.addIssue({ code: "custom", path: ["phone"], message: "method_unavailable" });
        else if (!normalisePhone(phone)) ctx.addIssue({ code: "custom", path: ["phone"], message: "mobile_required" });
        break;
      case "code_email":
        if (!v.email) ctx.addIssue({ code: "custom", path: ["email"], message: "method_unavailable" });
        break;
      case "callback":
        if (v.channel !== "phone") ctx.addIssue({ code: "custom", path: ["verification"], message: "callback_phone_only" });
        else if (!phone) ctx.addIssue({ code: "custom", path: ["phone"], message: "method_unavailable" });
        break;
      case "document":
        // Seeing a document is possible only face to face (issue 13: a caller "attested" was the breach).
        if (v.channel !== "in_person") ctx.addIssue({ code: "custom", path: ["verification"], message: "document_in_person_only" });
        break;
      case "postal_code":
        if (!v.postalAddress) ctx.addIssue({ code: "custom", path: ["postalAddress"], message: "method_unavailable" });
        break;
    }
    return { ...v, phone: phone ?? "" };
  });
export type AgentIntakeInput = z.output<typeof AgentIntakeInput>;

const MAX_AGE_DAYS = 365;

const PENDING_METHOD = { code_sms: "sms", code_email: "email", callback: "callback", document: "document", postal_code: "postal" } as const;

/** Records the request; verifies at once on a document shown in person, else starts the proof chosen. */
export async function recordRequest({ ctx, input }: { ctx: Ctx; input: AgentIntakeInput }) {
  const me = requireRole(ctx.actor, "agent", "support", "dpo");
  const site = me.role === "agent" ? me.site : input.site;
  const receivedAt = parisLocalToInstant(input.receivedAtLocal);
  if (!receivedAt) throw new DomainError("invalid_input", { field: "receivedAtLocal", code: "invalid_datetime" });
  if (receivedAt.getTime() > ctx.now.getTime() + 60_000) throw new DomainError("invalid_input", { field: "receivedAtLocal", code: "receipt_in_future" });
  if (ctx.now.getTime() - receivedAt.getTime() > MAX_AGE_DAYS * 86_400_000) throw new DomainError("invalid_input", { field: "receivedAtLocal", code: "receipt_too_old" });
  const profile = (await rawGet<{ holiday_profile: "metropolitan" | "alsace-moselle" }>(ctx.db, sql`SELECT holiday_profile FROM sites WHERE code = ${site}`))?.holiday_profile ?? "metropolitan";

  const created = await withTx(ctx, async (tx) => {
    const reference = await nextReference(tx, receivedAt);
    const row = (await first(tx
      .insert(requests)
      .values({
        reference,
        rights: input.rights,
        channel: input.channel,
        site,
        holidayProfile: profile,
        status: "awaiting_verification",
        locale: "fr",
        lastName: input.lastName,
        firstName: input.firstName,
        email: input.email || null,
        phone: input.phone || null,
        postalAddress: input.postalAddress || null,
        postcode: input.postcode || null,
        details: input.details || null,
        contactConsent: true,
        verificationMethod: PENDING_METHOD[input.verification],
        emailKey: input.email ? emailKey(input.email) : null,
        phoneKey: input.phone ? phoneKey(input.phone) : null,
        receivedAt,
        recordedBy: me.id,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning()))!;
    await addEvent(tx, row.id, { ...ctx, now: receivedAt }, "recorded", { channel: input.channel, site });
    await audit.append(tx, { actor: me, action: "ticket.recorded", reference, details: { channel: input.channel, site, verification: input.verification }, at: ctx.now });
    if (input.verification !== "document") {
      // The clock stops from now (when proof is asked for), not from receipt.
      await tx.insert(requestPauses).values({ requestId: row.id, reason: "identity_verification", startedAt: ctx.now });
      await addEvent(tx, row.id, ctx, "clock_paused", { reason: "identity_verification" });
      if (input.verification === "code_sms") await sendCode(tx, ctx, row, "sms");
      else if (input.verification === "code_email") await sendCode(tx, ctx, row, "email");
      else if (input.verification === "postal_code") await sendCode(tx, ctx, row, "post");
    }
    return { id: row.id, reference };
  });
  if (input.verification === "document") await confirmIdentity({ ctx, requestId: created.id, method: "document", proven: {} });
  return created;
}

const PURPOSE: Record<"sms" | "email" | "post", CodePurpose> = { sms: "sms_code", email: "email_code", post: "postal_code" };

/** A code to one contact; the code proves that contact, and only it, when it comes back. */
async function sendCode(tx: DbOrTx, ctx: Ctx, r: RequestRow, via: "sms" | "email" | "post") {
  const code = await issueSmsCode(tx, r.id, ctx.now, PURPOSE[via]);
  const ttlMinutes = env().SMS_CODE_TTL_MINUTES;
  // Never sent after the code stopped working (an outage of the gateway or the mail server).
  const expiresAt = new Date(ctx.now.getTime() + ttlMinutes * 60_000);
  if (via === "sms") {
    if (!canReceiveSms(r.phone)) throw new DomainError("invalid_input", { field: "phone", code: "mobile_required" });
    const m = emails.smsCode({ code, reference: r.reference, ttlMinutes }, r.locale);
    await enqueue(tx, { channel: "sms", to: r.phone, template: "agent_code", text: m.text, requestId: r.id, expiresAt }, ctx.now);
  } else if (via === "email") {
    if (!r.email) throw new DomainError("invalid_input", { field: "email", code: "method_unavailable" });
    const m = emails.agentCode({ code, reference: r.reference, ttlMinutes }, r.locale);
    await enqueue(tx, { channel: "email", to: r.email, template: "agent_code", ...m, requestId: r.id, expiresAt }, ctx.now);
  } else {
    if (!r.postalAddress) throw new DomainError("invalid_input", { field: "postalAddress", code: "method_unavailable" });
    await notifyRequester(tx, ctx, r, {
      kind: "postal_code",
      template: "postal_code",
      message: emails.postalCode({ code, reference: r.reference, days: 30 }, r.locale),
      sms: () => "",
      disclosure: false,
      via: "post",
    });
  }
  await addEvent(tx, r.id, ctx, "verification_sent", { method: via });
}

/** Which code is pending for a request awaiting verification, and what it proves. */
function pendingProof(r: RequestRow): { purpose: CodePurpose; proves: "email" | "phone" | "postal"; method: "agent" | "postal" } {
  if (r.verificationMethod === "email") return { purpose: "email_code", proves: "email", method: "agent" };
  if (r.verificationMethod === "postal") return { purpose: "postal_code", proves: "postal", method: "postal" };
  return { purpose: "sms_code", proves: "phone", method: "agent" };
}

/** The caller reads the code back to the agent (or returns it by post), who types it in. */
export async function checkCallerCode({ ctx, reference, code }: { ctx: Ctx; reference: string; code: string }) {
  const me = requireRole(ctx.actor, "agent", "support", "dpo");
  const outcome = await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    if (r.status !== "awaiting_verification") throw new DomainError("illegal_transition", { from: r.status, to: "received" });
    if (r.verificationMethod === "callback") throw new DomainError("illegal_transition", { code: "no_code_sent" });
    const proof = pendingProof(r);
    const check = await checkSmsCode(tx, r.id, code.trim(), ctx.now, proof.purpose);
    if (check.ok) await markUsed(tx, check.tokenId, ctx.now);
    return { check, id: r.id, proof };
  });
  if (!outcome.check.ok) return outcome.check;
  await confirmIdentity({ ctx, requestId: outcome.id, method: outcome.proof.method, proven: { [outcome.proof.proves]: true } });
  return { ok: true as const };
}

/** A new code for a caller who did not get the first one (same contact: a code proves only where it went). */
export async function resendCallerCode({ ctx, reference }: { ctx: Ctx; reference: string }) {
  const me = requireRole(ctx.actor, "agent", "support", "dpo");
  await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    if (r.status !== "awaiting_verification") throw new DomainError("illegal_transition", { from: r.status, to: "received" });
    if (r.verificationMethod === "callback" || r.verificationMethod === "document") throw new DomainError("illegal_transition", { code: "no_code_sent" });
    const open = await first(tx.select().from(requestPauses).where(and(eq(requestPauses.requestId, r.id), isNull(requestPauses.endedAt))));
    if (!open) await tx.insert(requestPauses).values({ requestId: r.id, reason: "identity_verification", startedAt: ctx.now });
    const via = r.verificationMethod === "sms" ? "sms" : r.verificationMethod === "postal" ? "post" : "email";
    await sendCode(tx, ctx, r, via);
    await audit.append(tx, { actor: me, action: "ticket.code_sent", reference: r.reference, details: { via }, at: ctx.now });
  });
}

/**
 * After a document was shown in person (or once verified some other way), a
 * contact the person gave is proven by a code sent to it and read back: only
 * then is it searched with, and only then does anything reach it.
 */
export async function sendContactCode({ ctx, reference, via }: { ctx: Ctx; reference: string; via: "sms" | "email" }) {
  const me = requireRole(ctx.actor, "agent", "support", "dpo");
  await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    if (!r.verifiedAt || ["completed", "refused", "cancelled", "duplicate", "expired_unverified"].includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "contact_code" });
    if ((via === "email" ? r.emailVerifiedAt : r.phoneVerifiedAt) !== null) throw new DomainError("illegal_transition", { code: "contact_already_proven" });
    await sendCode(tx, ctx, r, via);
    await audit.append(tx, { actor: me, action: "ticket.contact_code_sent", reference, details: { via }, at: ctx.now });
  });
}

export async function checkContactCode({ ctx, reference, via, code }: { ctx: Ctx; reference: string; via: "sms" | "email"; code: string }) {
  const me = requireRole(ctx.actor, "agent", "support", "dpo");
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    if (!r.verifiedAt) throw new DomainError("illegal_transition", { from: r.status, to: "contact_code" });
    const check = await checkSmsCode(tx, r.id, code.trim(), ctx.now, PURPOSE[via]);
    if (!check.ok) return check;
    await markUsed(tx, check.tokenId, ctx.now);
    const field = via === "email" ? { emailVerifiedAt: ctx.now } : { phoneVerifiedAt: ctx.now };
    await tx.update(requests).set({ ...field, updatedAt: ctx.now }).where(eq(requests.id, r.id));
    const contact = via === "email" ? "email" : "phone";
    await addEvent(tx, r.id, ctx, "contact_verified", { contact });
    await audit.append(tx, { actor: me, action: "ticket.contact_verified", reference, details: { contact, via: "code" }, at: ctx.now });
    return { ok: true as const };
  });
}

/**
 * "Calling back a number on record": the number the caller gave is looked
 * up in every system that can be searched by phone (counts only, nothing
 * stored or shown but which systems hold it). Audited: it is a search made
 * before identity is proven, for that purpose alone.
 */
export async function numberOnRecord({ ctx, reference, registry }: { ctx: Ctx; reference: string; registry: Pick<Registry, "list"> }) {
  const me = requireRole(ctx.actor, "agent", "support", "dpo");
  const r = await withTx(ctx, async (tx) => await loadTicket(tx, me, reference));
  if (r.status !== "awaiting_verification" || r.verificationMethod !== "callback" || !r.phone) throw new DomainError("illegal_transition", { code: "no_callback" });
  const held: string[] = [];
  const failed: string[] = [];
  for (const c of registry.list()) {
    if (!c.searchableBy.includes("phone")) continue;
    try {
      if ((await c.find({ phone: r.phone }, AbortSignal.timeout(30_000))).length > 0) held.push(c.id);
    } catch (error) {
      failed.push(c.id);
      log.warn("callback.lookup_failed", { reference, connectorId: c.id, error: scrub(error instanceof Error ? error.message : String(error)) });
    }
  }
  await withTx(ctx, async (tx) => await audit.append(tx, { actor: me, action: "ticket.callback_checked", reference, details: { held, failed }, at: ctx.now }));
  return { held, failed, labels: Object.fromEntries(registry.list().map((c) => [c.id, c.label])) };
}

/** The agent called the number back and the person answered: the phone is proven, if a system holds it. */
export async function confirmCallback({ ctx, reference, registry }: { ctx: Ctx; reference: string; registry: Pick<Registry, "list"> }) {
  const found = await numberOnRecord({ ctx, reference, registry });
  if (found.held.length === 0) throw new DomainError("illegal_transition", { code: "number_not_on_record" });
  const r = await withTx(ctx, async (tx) => await loadTicket(tx, requireRole(ctx.actor, "agent", "support", "dpo"), reference));
  await confirmIdentity({ ctx, requestId: r.id, method: "callback", proven: { phone: true } });
  return found;
}
