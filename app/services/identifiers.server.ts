import { and, eq } from "drizzle-orm";
import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import { requestIdentifiers, type RequestRow } from "../../db/schema/requests";
import type { Registry } from "../connectors/registry";
import type { IdentifierKind, VerifiedIdentity } from "../connectors/types";
import { decrypt, encrypt, keyedHash } from "../utils/crypto.server";
import type { DbOrTx } from "../utils/db.server";
import * as audit from "./audit.server";
import { requireRole } from "./authz";
import { identifierAad, provenContacts } from "./contacts.server";
import type { Ctx } from "./context";
import { DomainError } from "./errors";
import { loadTicket } from "./ticket-access.server";
import { readGathered } from "./gather-store.server";
import { queueSearch } from "./gather.server";
import { addEvent } from "./requests.server";
import { withTx } from "../utils/db.server";

/**
 * What a request is searched with, and where each identifier came from
 * (issue 13, item 2). Only identifiers proven for the request are used:
 * the requester's own contacts once a link or code came back from them, or,
 * for a represented person, that person's contacts once a link sent to them
 * came back — never the representative's own. Identifiers found in a record
 * that matched are offered to staff ("found in <system>"); once a staff
 * member confirms one (audited), it searches the other systems too.
 */
export type Origin = "proven_email" | "proven_phone" | "proven_postal" | "subject" | "found";
export type SearchIdentifier = { kind: IdentifierKind; value: string; origin: Origin; source?: string };

export function normaliseIdentifier(kind: "email" | "phone", raw: string): string | null {
  const v = raw.trim();
  if (!v) return null;
  if (kind === "email") return /^[^\s@]+@[^\s@]+$/.test(v) ? v.toLowerCase() : null;
  const parsed = parsePhoneNumberFromString(v, "FR");
  return parsed?.isValid() ? parsed.number : null;
}

const valueKey = (kind: string, normalised: string) => keyedHash(`identifier:${kind}`, normalised);

async function stored(db: DbOrTx, requestId: number) {
  return (await db
    .select()
    .from(requestIdentifiers)
    .where(eq(requestIdentifiers.requestId, requestId)))
    .map((row) => ({ ...row, plain: decrypt(row.value, identifierAad(requestId, row.kind, row.valueKey)).toString() }));
}

/** Every identifier the request may be searched with now, each once. */
export async function searchIdentifiers(db: DbOrTx, r: RequestRow): Promise<SearchIdentifier[]> {
  const out: SearchIdentifier[] = [];
  const seen = new Set<string>();
  const add = (id: SearchIdentifier) => {
    const k = `${id.kind}\u0000${id.kind === "name_postcode" ? id.value : id.value.toLowerCase()}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(id);
  };
  if (!r.verifiedAt) return out;
  if (r.onBehalf) {
    // The representative's contacts find the representative, not the person represented.
    if (r.mandateStatus !== "accepted") return out;
  } else {
    const proven = provenContacts(r);
    if (proven.email) add({ kind: "email", value: proven.email.trim().toLowerCase(), origin: "proven_email" });
    if (proven.phone) add({ kind: "phone", value: proven.phone, origin: "proven_phone" });
    if (proven.postal && r.postcode) add({ kind: "name_postcode", value: JSON.stringify([r.lastName, r.firstName, r.postcode]), origin: "proven_postal" });
  }
  for (const row of (await stored(db, r.id))) {
    if (row.origin === "subject" && row.status === "verified") add({ kind: row.kind, value: row.plain, origin: "subject" });
    if (row.origin === "found" && row.status === "confirmed") add({ kind: row.kind, value: row.plain, origin: "found", source: row.sourceConnector ?? undefined });
  }
  return out;
}

/** One identifier as the connectors take it. */
export function asIdentity(id: SearchIdentifier): VerifiedIdentity {
  if (id.kind === "email") return { email: id.value };
  if (id.kind === "phone") return { phone: id.value };
  const [lastName, firstName, postcode] = JSON.parse(id.value) as [string, string, string];
  return { nameAndPostcode: { lastName, firstName, postcode } };
}

/**
 * Column names that hold the person's own email or phone in the connectors'
 * records. Not a call's caller or called number: on an outbound survey call
 * the caller is CentreCall's switchboard, and searching with it would bring
 * back every call of that site.
 */
const CONTACT_FIELDS: Record<string, "email" | "phone"> = {
  email: "email",
  mail: "email",
  courriel: "email",
  phone: "phone",
  telephone: "phone",
  mobile: "phone",
};

export type FoundIdentifier = { kind: "email" | "phone"; value: string; connectorId: string; dataset: string; token: string };

/**
 * Emails and phones held in the records that matched, which the search did
 * not use yet and staff have not set aside: "found in <system>". Personal
 * data: callers read it through tickets.auditedRead.
 */
export async function foundIdentifiers(db: DbOrTx, r: RequestRow): Promise<FoundIdentifier[]> {
  const used = new Set((await searchIdentifiers(db, r)).filter((i) => i.kind !== "name_postcode").map((i) => `${i.kind}\u0000${normaliseIdentifier(i.kind as "email" | "phone", i.value)}`));
  // What staff already decided is not offered again. A contact the requester gave but did not prove
  // is offered when a record holds it: finding it there, next to a proven one, is what makes it usable.
  for (const row of (await stored(db, r.id))) used.add(`${row.kind}\u0000${normaliseIdentifier(row.kind, row.plain)}`);
  const out = new Map<string, FoundIdentifier>();
  for (const rec of (await readGathered(db, r.id)).records) {
    for (const [field, value] of Object.entries(rec.fields)) {
      const kind = CONTACT_FIELDS[field];
      if (!kind || typeof value !== "string") continue;
      const normalised = normaliseIdentifier(kind, value);
      if (!normalised) continue;
      const k = `${kind}\u0000${normalised}`;
      if (used.has(k) || out.has(k)) continue;
      out.set(k, { kind, value: normalised, connectorId: rec.connectorId, dataset: rec.dataset, token: Buffer.from(JSON.stringify([kind, normalised])).toString("base64url") });
    }
  }
  return [...out.values()];
}


/**
 * A staff member confirms (or sets aside) an identifier found in a record.
 * Confirmed, it searches every system that can use it, again; both
 * decisions are audited and kept, so it is not offered twice.
 */
export async function decideFoundIdentifier({ ctx, reference, token, confirm, registry }: { ctx: Ctx; reference: string; token: string; confirm: boolean; registry: Pick<Registry, "list"> }) {
  const me = requireRole(ctx.actor, "dpo", "support");
  let kind: "email" | "phone";
  let value: string;
  try {
    [kind, value] = JSON.parse(Buffer.from(token, "base64url").toString()) as ["email" | "phone", string];
  } catch {
    throw new DomainError("invalid_input", { code: "unknown_identifier" });
  }
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference, { statuses: { in: ["received", "in_progress", "awaiting_requester", "ready"], to: "gather" } });
    const offered = (await foundIdentifiers(tx, r)).find((f) => f.kind === kind && f.value === value);
    if (!offered) throw new DomainError("invalid_input", { code: "unknown_identifier" });
    const key = valueKey(kind, value);
    await tx.insert(requestIdentifiers)
      .values({
        requestId: r.id,
        kind,
        value: encrypt(Buffer.from(value), identifierAad(r.id, kind, key)),
        valueKey: key,
        origin: "found",
        sourceConnector: offered.connectorId,
        sourceDataset: offered.dataset,
        status: confirm ? "confirmed" : "rejected",
        decidedBy: me.id,
        decidedAt: ctx.now,
        createdAt: ctx.now,
      });
    const details = { kind, source: offered.connectorId, dataset: offered.dataset };
    await addEvent(tx, r.id, ctx, confirm ? "identifier_confirmed" : "identifier_rejected", details);
    await audit.append(tx, { actor: me, action: confirm ? "identifier.confirmed" : "identifier.rejected", reference: r.reference, details, at: ctx.now });
    if (!confirm) return [];
    // Every system that can be searched by this kind of identifier is searched again.
    const able = registry.list().filter((c) => c.searchableBy.includes(kind)).map((c) => c.id);
    return await queueSearch(tx, ctx, r, able, "identifier.confirmed");
  });
}

/** A represented person's identifier, stored pending until a link sent to it comes back. */
export async function addSubjectIdentifier(tx: DbOrTx, requestId: number, kind: "email" | "phone", value: string, now: Date) {
  const key = valueKey(kind, value);
  await tx.insert(requestIdentifiers)
    .values({ requestId, kind, value: encrypt(Buffer.from(value), identifierAad(requestId, kind, key)), valueKey: key, origin: "subject", status: "pending", createdAt: now })
    .onConflictDoNothing();
}

/** The represented person's identifiers with their state, for the ticket page and for sending the links. */
export async function subjectIdentifiers(db: DbOrTx, requestId: number) {
  return (await stored(db, requestId))
    .filter((row) => row.origin === "subject")
    .map((row) => ({ id: row.id, kind: row.kind, value: row.plain, status: row.status, decidedAt: row.decidedAt }));
}

export async function markSubjectIdentifierVerified(tx: DbOrTx, identifierId: number, now: Date) {
  await tx.update(requestIdentifiers).set({ status: "verified", decidedAt: now }).where(and(eq(requestIdentifiers.id, identifierId), eq(requestIdentifiers.origin, "subject")));
}

/** What the search used, for staff and for the answer: decided identifiers with who/when. */
export async function decidedIdentifiers(db: DbOrTx, requestId: number) {
  return (await stored(db, requestId)).map((row) => ({ kind: row.kind, value: row.plain, origin: row.origin, status: row.status, source: row.sourceConnector, decidedBy: row.decidedBy, decidedAt: row.decidedAt }));
}
