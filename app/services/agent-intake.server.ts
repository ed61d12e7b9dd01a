import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { CHANNELS, RIGHTS, SITES } from "../../db/schema/enums";
import { requestPauses, requests } from "../../db/schema/requests";
import * as emails from "../../emails";
import type { DbOrTx } from "../utils/db.server";
import { env } from "../utils/env.server";
import * as audit from "./audit.server";
import { requireRole, requireTicketAccess } from "./authz";
import type { Ctx } from "./context";
import { parisDate } from "./deadlines";
import { DomainError } from "./errors";
import { normaliseAnyPhone, normalisePhone } from "./intake-input";
import { enqueue } from "./outbox.server";
import { parisLocalToInstant } from "./paris-time";
import { addEvent, confirmIdentity, emailKey, nextReference, phoneKey } from "./requests.server";
import { checkSmsCode, issueSmsCode, markUsed } from "./verification.server";

/**
 * Requests received by phone, letter, email or in person, typed in by an
 * agent. The legal clock starts at the real moment of receipt, not when the
 * agent gets round to typing it.
 */
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
    details: z.string().trim().max(5000),
    verification: z.enum(["code_sms", "code_email", "attested"]),
  })
  .transform((v, ctx) => {
    // Callers ring from landlines too; only an SMS code needs a mobile.
    const phone = v.phone ? normaliseAnyPhone(v.phone) : "";
    if (phone === null) ctx.addIssue({ code: "custom", path: ["phone"], message: "phone_invalid" });
    else if (v.verification === "code_sms" && phone && !normalisePhone(phone)) ctx.addIssue({ code: "custom", path: ["phone"], message: "mobile_required" });
    if (!v.email && !v.phone) ctx.addIssue({ code: "custom", path: ["email"], message: "contact_required" });
    if (v.verification === "code_sms" && !phone) ctx.addIssue({ code: "custom", path: ["phone"], message: "method_unavailable" });
    if (v.verification === "code_email" && !v.email) ctx.addIssue({ code: "custom", path: ["email"], message: "method_unavailable" });
    return { ...v, phone: phone ?? "" };
  });
export type AgentIntakeInput = z.output<typeof AgentIntakeInput>;

const MAX_AGE_DAYS = 365;

/** Records the request; verifies at once when the agent attests it, else sends a code to read back. */
export function recordRequest({ ctx, input }: { ctx: Ctx; input: AgentIntakeInput }) {
  const me = requireRole(ctx.actor, "agent", "support", "dpo");
  const site = me.role === "agent" ? me.site : input.site;
  const receivedAt = parisLocalToInstant(input.receivedAtLocal);
  if (!receivedAt) throw new DomainError("invalid_input", { field: "receivedAtLocal", code: "invalid_datetime" });
  if (receivedAt.getTime() > ctx.now.getTime() + 60_000) throw new DomainError("invalid_input", { field: "receivedAtLocal", code: "receipt_in_future" });
  if (ctx.now.getTime() - receivedAt.getTime() > MAX_AGE_DAYS * 86_400_000) throw new DomainError("invalid_input", { field: "receivedAtLocal", code: "receipt_too_old" });
  const profile = ctx.db.get<{ holiday_profile: "metropolitan" | "alsace-moselle" } | undefined>(sql`SELECT holiday_profile FROM sites WHERE code = ${site}`)?.holiday_profile ?? "metropolitan";

  const created = ctx.db.transaction((tx) => {
    const reference = nextReference(tx, receivedAt);
    const row = tx
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
        details: input.details || null,
        contactConsent: true,
        verificationMethod: input.verification === "code_sms" ? "sms" : input.verification === "code_email" ? "email" : "agent",
        emailKey: input.email ? emailKey(input.email) : null,
        phoneKey: input.phone ? phoneKey(input.phone) : null,
        receivedAt,
        recordedBy: me.id,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning()
      .get();
    addEvent(tx, row.id, { ...ctx, now: receivedAt }, "recorded", { channel: input.channel, site });
    audit.append(tx, { actor: me, action: "ticket.recorded", reference, details: { channel: input.channel, site, verification: input.verification }, at: ctx.now });
    if (input.verification !== "attested") {
      // The clock stops from now (when proof is asked for), not from receipt.
      tx.insert(requestPauses).values({ requestId: row.id, reason: "identity_verification", startedAt: ctx.now }).run();
      sendAgentCode(tx, ctx, row, input.verification === "code_sms" ? "sms" : "email");
    }
    return { id: row.id, reference };
  });
  if (input.verification === "attested") confirmIdentity({ ctx, requestId: created.id, method: "agent" });
  return created;
}

function sendAgentCode(tx: DbOrTx, ctx: Ctx, r: { id: number; reference: string; email: string | null; phone: string | null }, via: "sms" | "email") {
  const code = issueSmsCode(tx, r.id, ctx.now);
  const ttlMinutes = env().SMS_CODE_TTL_MINUTES;
  if (via === "sms" && r.phone) {
    const m = emails.smsCode({ code, reference: r.reference, ttlMinutes }, "fr");
    enqueue(tx, { channel: "sms", to: r.phone, template: "agent_code", text: m.text, requestId: r.id }, ctx.now);
  } else if (r.email) {
    const m = emails.agentCode({ code, reference: r.reference, ttlMinutes }, "fr");
    enqueue(tx, { channel: "email", to: r.email, template: "agent_code", ...m, requestId: r.id }, ctx.now);
  }
  addEvent(tx, r.id, ctx, "verification_sent", { method: via });
}

/** The caller reads the code back to the agent, who types it in. */
export function checkCallerCode({ ctx, reference, code }: { ctx: Ctx; reference: string; code: string }) {
  const me = requireRole(ctx.actor, "agent", "support", "dpo");
  const outcome = ctx.db.transaction((tx) => {
    const r = tx.select().from(requests).where(eq(requests.reference, reference)).get();
    if (!r) throw new DomainError("not_found");
    requireTicketAccess(me, r);
    if (r.status !== "awaiting_verification") throw new DomainError("illegal_transition", { from: r.status, to: "received" });
    const check = checkSmsCode(tx, r.id, code.trim(), ctx.now);
    if (check.ok) markUsed(tx, check.tokenId, ctx.now);
    return { check, id: r.id };
  });
  if (!outcome.check.ok) return outcome.check;
  confirmIdentity({ ctx, requestId: outcome.id, method: "agent" });
  return { ok: true as const };
}

/** A new code for a caller who did not get the first one. */
export function resendCallerCode({ ctx, reference }: { ctx: Ctx; reference: string }) {
  const me = requireRole(ctx.actor, "agent", "support", "dpo");
  ctx.db.transaction((tx) => {
    const r = tx.select().from(requests).where(eq(requests.reference, reference)).get();
    if (!r) throw new DomainError("not_found");
    requireTicketAccess(me, r);
    if (r.status !== "awaiting_verification") throw new DomainError("illegal_transition", { from: r.status, to: "received" });
    const open = tx.select().from(requestPauses).where(and(eq(requestPauses.requestId, r.id), isNull(requestPauses.endedAt))).get();
    if (!open) tx.insert(requestPauses).values({ requestId: r.id, reason: "identity_verification", startedAt: ctx.now }).run();
    const via = r.verificationMethod === "sms" ? "sms" : "email";
    sendAgentCode(tx, ctx, r, via);
    audit.append(tx, { actor: me, action: "ticket.code_sent", reference: r.reference, details: { via }, at: ctx.now });
  });
}
