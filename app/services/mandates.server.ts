import { and, eq, isNull } from "drizzle-orm";
import { attachments, requests, type RequestRow } from "../../db/schema/requests";
import { verificationTokens } from "../../db/schema/verification";
import * as emails from "../../emails";
import { decrypt } from "../utils/crypto.server";
import type { DbOrTx } from "../utils/db.server";
import * as audit from "./audit.server";
import { requireRole } from "./authz";
import { canReceiveSms } from "./contacts.server";
import type { Ctx } from "./context";
import { parisDate } from "./deadlines";
import { DomainError } from "./errors";
import { loadTicket } from "./ticket-access.server";
import { markSubjectIdentifierVerified, subjectIdentifiers } from "./identifiers.server";
import { notifyRequester } from "./letters.server";
import { enqueue } from "./outbox.server";
import { addEvent, link, setStatus } from "./requests.server";
import { findLink, issueLink, markUsed } from "./verification.server";
import { withTx, first } from "../utils/db.server";

/**
 * Representatives (CNIL recommendation 2021-070). The mandate states the
 * person represented, the rights exercised, how long it runs, the data
 * concerned and who receives the answer. Staff read it (each view audited)
 * and accept it, or reject it with a reason the representative receives,
 * before anything is searched. Accepted, a link goes to each of the
 * represented person's own contacts: those they confirm are searched.
 */
const MANDATE = { mandate: "required" } as const;

export type MandateView = {
  subject: string;
  rights: RequestRow["rights"];
  until: string | null;
  scope: string | null;
  answerTo: "representative" | "subject" | null;
  status: "pending" | "accepted" | "rejected" | null;
  rejection: string | null;
  reviewedAt: Date | null;
  file: { id: number; mimeType: string; size: number; sha256: string } | null;
  identifiers: { kind: "email" | "phone"; value: string; status: string }[];
};

/** The mandate's terms and the represented person's identifiers: personal data, each reading audited. */
export async function mandateView({ ctx, reference }: { ctx: Ctx; reference: string }): Promise<MandateView> {
  const me = requireRole(ctx.actor, "dpo", "support");
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference, MANDATE);
    const file = await first(tx
      .select({ id: attachments.id, mimeType: attachments.mimeType, size: attachments.size, sha256: attachments.sha256 })
      .from(attachments)
      .where(and(eq(attachments.requestId, r.id), eq(attachments.kind, "mandate"))));
    await audit.append(tx, { actor: me, action: "record.viewed", reference, details: { what: "mandate" }, at: ctx.now });
    return {
      subject: `${r.subjectFirstName ?? ""} ${r.subjectLastName ?? ""}`.trim(),
      rights: r.rights,
      until: r.mandateUntil,
      scope: r.mandateScope,
      answerTo: r.mandateAnswerTo,
      status: r.mandateStatus,
      rejection: r.mandateRejection,
      reviewedAt: r.mandateReviewedAt,
      file: file ?? null,
      identifiers: (await subjectIdentifiers(tx, r.id)).map((i) => ({ kind: i.kind, value: i.value, status: i.status })),
    };
  });
}

/** The mandate document itself, decrypted for the reviewer; audited. */
export async function mandateFile({ ctx, reference }: { ctx: Ctx; reference: string }) {
  const me = requireRole(ctx.actor, "dpo", "support");
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference, MANDATE);
    const row = await first(tx.select().from(attachments).where(and(eq(attachments.requestId, r.id), eq(attachments.kind, "mandate"))));
    if (!row) throw new DomainError("not_found", { what: "mandate" });
    await audit.append(tx, { actor: me, action: "record.viewed", reference, details: { what: "mandate_file", sha256: row.sha256 }, at: ctx.now });
    return { reference: r.reference, bytes: decrypt(row.ciphertext, `attachment:${r.reference}`), mimeType: row.mimeType };
  });
}

/** Accept the mandate (and ask the represented person to confirm their contacts), or reject it with a reason. */
export async function reviewMandate({ ctx, reference, accept, reason }: { ctx: Ctx; reference: string; accept: boolean; reason?: string }) {
  const me = requireRole(ctx.actor, "dpo", "support");
  const why = (reason ?? "").trim();
  if (!accept && (why.length < 10 || why.length > 2000)) throw new DomainError("invalid_input", { field: "reason", code: "reasons_required" });
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference, MANDATE);
    if (!["received", "in_progress"].includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "mandate_review" });
    if (r.mandateStatus !== "pending") throw new DomainError("illegal_transition", { code: "mandate_already_reviewed" });
    const reviewed = { mandateReviewedBy: me.id, mandateReviewedAt: ctx.now, updatedAt: ctx.now };
    if (!accept) {
      await tx.update(requests).set({ ...reviewed, mandateStatus: "rejected", mandateRejection: why }).where(eq(requests.id, r.id));
      await setStatus(tx, r, "refused", ctx.now, { closedAt: ctx.now });
      await addEvent(tx, r.id, ctx, "mandate_rejected");
      await addEvent(tx, r.id, ctx, "refused", { reasons: ["mandate_invalid"] });
      await notifyRequester(tx, ctx, r, {
        kind: "refusal",
        template: "mandate_rejected",
        message: emails.mandateRejected({ reference, reason: why }, r.locale),
        sms: (l) => emails.smsRefusal({ reference, link: l }, r.locale),
        disclosure: false,
      });
      await audit.append(tx, { actor: me, action: "mandate.rejected", reference, details: {}, at: ctx.now });
      return { accepted: false as const, links: 0 };
    }
    if (!r.mandateUntil || r.mandateUntil < parisDate(ctx.now)) throw new DomainError("illegal_transition", { code: "mandate_expired" });
    const pending = (await subjectIdentifiers(tx, r.id)).filter((i) => i.status === "pending");
    if (pending.length === 0) throw new DomainError("illegal_transition", { code: "subject_contact_required" });
    await tx.update(requests).set({ ...reviewed, mandateStatus: "accepted" }).where(eq(requests.id, r.id));
    await addEvent(tx, r.id, ctx, "mandate_accepted");
    const representative = `${r.firstName} ${r.lastName}`;
    let links = 0;
    for (const id of pending) {
      const token = await issueLink(tx, r.id, "subject_link", ctx.now);
      await tx.update(verificationTokens).set({ identifierId: id.id }).where(and(eq(verificationTokens.requestId, r.id), eq(verificationTokens.purpose, "subject_link"), isNull(verificationTokens.identifierId)));
      const url = link(`/confirmation/${token}`);
      if (id.kind === "email") {
        const m = emails.subjectConfirmation({ reference, representative, rights: r.rights, link: url }, r.locale);
        await enqueue(tx, { channel: "email", to: id.value, template: "subject_confirmation", ...m, requestId: r.id }, ctx.now);
      } else if (canReceiveSms(id.value)) {
        await enqueue(tx, { channel: "sms", to: id.value, template: "sms_subject_confirmation", text: emails.smsSubjectConfirmation({ reference, representative, link: url }, r.locale), requestId: r.id }, ctx.now);
      } else continue;
      links++;
    }
    await addEvent(tx, r.id, ctx, "subject_link_sent", { links });
    await audit.append(tx, { actor: me, action: "mandate.accepted", reference, details: { links }, at: ctx.now });
    return { accepted: true as const, links };
  });
}

export async function subjectLinkIsUsable(db: DbOrTx, token: string, now: Date) {
  const row = await findLink(db, token, "subject_link", now);
  return !!row && row.identifierId !== null;
}

/** The represented person confirms their contact (public, after pressing the button). */
export async function confirmSubjectLink({ ctx, token }: { ctx: Ctx; token: string }): Promise<{ ok: boolean; reference?: string }> {
  return await withTx(ctx, async (tx) => {
    const row = await findLink(tx, token, "subject_link", ctx.now);
    if (!row || row.identifierId === null) return { ok: false };
    const r = await first(tx.select().from(requests).where(eq(requests.id, row.requestId)));
    if (!r || r.mandateStatus !== "accepted") return { ok: false };
    await markUsed(tx, row.id, ctx.now);
    await markSubjectIdentifierVerified(tx, row.identifierId, ctx.now);
    await addEvent(tx, r.id, ctx, "subject_verified");
    await audit.append(tx, { actor: ctx.actor, action: "identifier.verified", reference: r.reference, details: { origin: "subject" }, at: ctx.now });
    return { ok: true, reference: r.reference };
  });
}
