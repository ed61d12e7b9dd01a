import { and, eq } from "drizzle-orm";
import { requestIdentifiers, type RequestRow } from "../../db/schema/requests";
import { decrypt } from "../utils/crypto.server";
import type { DbOrTx } from "../utils/db.server";
import { normalisePhone } from "./intake-input";

/**
 * Who a request may reach, and with what (ADR 0011). Identity and contact
 * are two proofs: a contact is proven for a request only when a link or a
 * code sent to it came back (or an agent called it back on a number held on
 * record, or a code went by post to the address). Anything that discloses
 * the person's data goes only to a proven contact; a notice that discloses
 * nothing (a refusal, a question) may go to the contact given.
 */
export type Reach =
  | { channel: "email"; to: string; proven: boolean }
  | { channel: "sms"; to: string; proven: boolean }
  | { channel: "post"; name: string; address: string; proven: boolean };

type ContactFields = Pick<
  RequestRow,
  "id" | "email" | "phone" | "emailVerifiedAt" | "phoneVerifiedAt" | "postalAddress" | "postalVerifiedAt" | "firstName" | "lastName" | "onBehalf" | "mandateAnswerTo"
>;

/** The requester's contacts that were proven for this request. */
export function provenContacts(r: ContactFields) {
  return {
    email: r.email && r.emailVerifiedAt ? r.email : null,
    phone: r.phone && r.phoneVerifiedAt ? r.phone : null,
    postal: r.postalAddress && r.postalVerifiedAt ? r.postalAddress : null,
  };
}

/** An SMS needs a mobile number; a landline proven by a call-back cannot receive one. */
export function canReceiveSms(phone: string | null): phone is string {
  return !!phone && normalisePhone(phone) !== null;
}

const identifierAad = (requestId: number, kind: string, valueKey: string) => `identifier:${requestId}:${kind}:${valueKey}`;
export { identifierAad };

/** The represented person's own contacts proven for this request (a link sent to them came back). */
async function subjectContacts(db: DbOrTx, requestId: number) {
  const rows = await db
    .select()
    .from(requestIdentifiers)
    .where(and(eq(requestIdentifiers.requestId, requestId), eq(requestIdentifiers.origin, "subject"), eq(requestIdentifiers.status, "verified")));
  const value = (kind: "email" | "phone") => {
    const row = rows.find((x) => x.kind === kind);
    return row ? decrypt(row.value, identifierAad(requestId, kind, row.valueKey)).toString() : null;
  };
  return { email: value("email"), phone: value("phone") };
}

/**
 * Where a message to the person goes: email first, then SMS, then post.
 * `disclosure`: the message carries personal data (an archive, a
 * certificate, corrected values, the no-data answer), so only a proven
 * contact will do; for a represented person, where the mandate says. Null
 * when nothing can reach them: the caller refuses the action and says why.
 */
export async function reach(db: DbOrTx, r: ContactFields, opts: { disclosure: boolean }): Promise<Reach | null> {
  const name = `${r.firstName} ${r.lastName}`.trim();
  if (opts.disclosure && r.onBehalf && r.mandateAnswerTo === "subject") {
    const subject = await subjectContacts(db, r.id);
    if (subject.email) return { channel: "email", to: subject.email, proven: true };
    if (canReceiveSms(subject.phone)) return { channel: "sms", to: subject.phone, proven: true };
    return null;
  }
  const proven = provenContacts(r);
  if (proven.email) return { channel: "email", to: proven.email, proven: true };
  if (canReceiveSms(proven.phone)) return { channel: "sms", to: proven.phone, proven: true };
  if (proven.postal) return { channel: "post", name, address: proven.postal, proven: true };
  if (opts.disclosure) return null;
  if (r.email) return { channel: "email", to: r.email, proven: false };
  if (canReceiveSms(r.phone)) return { channel: "sms", to: r.phone, proven: false };
  if (r.postalAddress) return { channel: "post", name, address: r.postalAddress, proven: false };
  return null;
}
