import { and, asc, eq, inArray } from "drizzle-orm";
import { createHmac } from "node:crypto";
import { requests, type RequestRow } from "../../db/schema/requests";
import { suppressionList } from "../../db/schema/rights";
import { derivedKey } from "../utils/crypto.server";
import type { DbOrTx } from "../utils/db.server";
import { env } from "../utils/env.server";
import * as audit from "./audit.server";
import { requireRole, requireStaff } from "./authz";
import type { Actor, Ctx } from "./context";
import { DomainError } from "./errors";
import { loadTicket } from "./ticket-access.server";
import { normaliseAnyPhone } from "./intake-input";
import { addEvent } from "./requests.server";
import type { Registry } from "../connectors/registry";
import type { Match } from "../connectors/types";
import { objectionConfirmation, smsObjectionConfirmation } from "../../emails/objection";
import { log, scrub } from "../utils/log.server";
import { reach } from "./contacts.server";
import { readGathered } from "./gather-store.server";
import { latestJobs } from "./gather.server";
import { decidedIdentifiers } from "./identifiers.server";
import { notifyRequester } from "./letters.server";
import { OPEN_STATUSES } from "./tickets.server";
import { withTx, first, changes } from "../utils/db.server";
import { mapInOrder } from "../utils/in-order";

/**
 * Art. 21: objection, and the suppression list dialling campaigns check.
 *
 * The list holds keyed hashes only: HMAC-SHA256 under SUPPRESSION_HASH_KEY of
 * "<kind>:<normalised value>". Without the key a hash cannot be tested against
 * a guessed number (the space of French numbers is small enough to enumerate,
 * which is why a plain hash would not do); with it, a number a campaign is
 * about to dial is normalised, hashed and looked up.
 */
export type SuppressionKind = "phone" | "email";

/** The most numbers one API call or one service call may check. */
export const MAX_BATCH = 1000;

function hashKey(): Buffer {
  const configured = env().SUPPRESSION_HASH_KEY;
  // Production requires the dedicated key (env.server.ts); elsewhere a stable one derives from APP_SECRET.
  return configured ? Buffer.from(configured, "utf8") : derivedKey("suppression");
}

/** E.164 for phones ("06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678" → "+33612345678"), lower case for emails; null when not one. */
export function normaliseIdentifier(kind: SuppressionKind, raw: string): string | null {
  if (typeof raw !== "string" || raw.length > 254) return null;
  if (kind === "phone") return normaliseAnyPhone(raw.trim());
  const email = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : null;
}

/** The stored form of an already normalised identifier. */
export function suppressionHash(kind: SuppressionKind, normalised: string): string {
  return createHmac("sha256", hashKey()).update(`${kind}:${normalised}`).digest("hex");
}

/** The identifiers on a request, hashed: the email and phone it was filed or recorded with. */
function identifiersOf(r: Pick<RequestRow, "email" | "phone">): { kind: SuppressionKind; hash: string }[] {
  const out: { kind: SuppressionKind; hash: string }[] = [];
  const phone = r.phone ? normaliseIdentifier("phone", r.phone) : null;
  if (phone) out.push({ kind: "phone", hash: suppressionHash("phone", phone) });
  const email = r.email ? normaliseIdentifier("email", r.email) : null;
  if (email) out.push({ kind: "email", hash: suppressionHash("email", email) });
  return out;
}

/** The identifiers found in the systems that staff confirmed as the person's (identifiers.server.ts), hashed. */
async function confirmedFoundIdentifiers(db: DbOrTx, requestId: number): Promise<{ kind: SuppressionKind; hash: string }[]> {
  const out: { kind: SuppressionKind; hash: string }[] = [];
  for (const id of (await decidedIdentifiers(db, requestId))) {
    if (id.origin !== "found" || id.status !== "confirmed") continue;
    const normalised = normaliseIdentifier(id.kind, id.value);
    if (normalised) out.push({ kind: id.kind, hash: suppressionHash(id.kind, normalised) });
  }
  return out;
}

const CALL_TIMEOUT_MS = 60_000;

type Removal = { connectorId: string; label: string; records: number; fields: number; error: string | null };

/**
 * Records an objection to direct marketing (Art. 21(2)-(3)): the request's
 * phone number and email, and the identifiers found in the systems that staff
 * confirmed as the person's, join the suppression list. The right is
 * absolute — there is no balancing of interests to record, only the request's
 * own identity check, which its open status already proves. Idempotent: an
 * identifier already listed (by this or another request) stays as it was.
 *
 * Where a connector can (removeContacts: the survey database, OP-03), the
 * contact details of the records the gather found are removed there too.
 * The person is then told exactly that: which contacts are listed, what was
 * removed where — or that nothing was found.
 */
export async function recordObjection({ ctx, reference, registry }: { ctx: Ctx; reference: string; registry: Registry }) {
  const me = requireStaff(ctx.actor);
  const plan = await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference, { roles: ["dpo", "support"] });
    if (!r.rights.includes("objection")) throw new DomainError("illegal_transition", { code: "objection_not_requested" });
    if (!r.verifiedAt || !OPEN_STATUSES.includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "objection" });
    const own = identifiersOf(r);
    if (own.length === 0) throw new DomainError("invalid_input", { code: "no_contact_to_suppress" });
    const gathered = (await latestJobs(tx, r.id)).length > 0;
    const matches = new Map<string, Match[]>();
    for (const m of (await readGathered(tx, r.id)).matches) matches.set(m.connectorId, [...(matches.get(m.connectorId) ?? []), m]);
    return { r, own, gathered, matches };
  });

  // Connector I/O outside the transaction; one failing system never stops the listing.
  const removals: Removal[] = [];
  for (const c of registry.list()) {
    const ms = plan.matches.get(c.id) ?? [];
    if (!c.removeContacts || ms.length === 0) continue;
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CALL_TIMEOUT_MS / 1000} s`)), CALL_TIMEOUT_MS)));
      const done = await Promise.race([c.removeContacts(ms), late]);
      removals.push({ connectorId: c.id, label: c.label, records: done.records, fields: done.fields, error: null });
    } catch (error) {
      const message = scrub(error instanceof Error ? error.message : String(error));
      log.warn("objection.remove_contacts_failed", { reference: plan.r.reference, connectorId: c.id, error: message });
      removals.push({ connectorId: c.id, label: c.label, records: 0, fields: 0, error: message });
    } finally {
      clearTimeout(timer);
    }
  }

  return await withTx(ctx, async (tx) => {
    const r = (await first(tx.select().from(requests).where(eq(requests.id, plan.r.id))))!;
    const found = (await confirmedFoundIdentifiers(tx, r.id)).filter((f) => !plan.own.some((o) => o.kind === f.kind && o.hash === f.hash));
    const add = async (id: { kind: SuppressionKind; hash: string }) =>
      changes(await tx.insert(suppressionList).values({ kind: id.kind, hash: id.hash, requestId: r.id, addedAt: ctx.now, addedBy: me.id }).onConflictDoNothing());
    const ownAdded = await mapInOrder(plan.own, async (id) => ({ kind: id.kind, added: (await add(id)) === 1 }));
    const foundAdded = await mapInOrder(found, async (id) => ({ kind: id.kind, added: (await add(id)) === 1 }));
    const added = [...ownAdded, ...foundAdded].filter((x) => x.added).length;
    // Counts and kinds only: the values, even hashed, stay in their table.
    const details = {
      kinds: plan.own.map((i) => i.kind),
      added,
      alreadyListed: plan.own.length + found.length - added,
      found: found.length,
      removed: removals.map((x) => ({ connectorId: x.connectorId, records: x.records, fields: x.fields, failed: x.error !== null })),
    };
    await addEvent(tx, r.id, ctx, "objection_recorded", details);
    await audit.append(tx, { actor: me, action: "objection.recorded", reference: r.reference, details, at: ctx.now });
    for (const x of removals.filter((x) => !x.error)) {
      await audit.append(tx, { actor: me, action: "objection.survey_contacts_removed", reference: r.reference, details: { connectorId: x.connectorId, records: x.records, fields: x.fields }, at: ctx.now });
    }
    // The confirmation: what systems held goes only to a proven contact; elsewhere, only what the request itself gave.
    const disclosure = (await reach(tx, r, { disclosure: true })) !== null;
    const anyone = disclosure || (await reach(tx, r, { disclosure: false })) !== null;
    if (anyone) {
      const facts = {
        reference: r.reference,
        own: ownAdded.map((x) => ({ kind: x.kind, alreadyListed: !x.added })),
        found: disclosure ? found.map((f) => f.kind) : null,
        searched: disclosure ? plan.gathered : null,
        removals: disclosure ? removals.map((x) => ({ system: x.label, records: x.records, failed: x.error !== null })) : null,
      };
      await notifyRequester(tx, ctx, r, {
        kind: "objection_confirmed",
        template: "objection_confirmed",
        message: objectionConfirmation(facts, r.locale),
        sms: (link) => smsObjectionConfirmation({ reference: r.reference, link }, r.locale),
        disclosure,
      });
      await addEvent(tx, r.id, ctx, "objection_confirmed", { disclosure });
    }
    return { ...details, confirmed: anyone };
  });
}

export type ObjectionStatus = { kind: SuppressionKind; since: Date | null }[];

/** For the ticket page: whether each of the request's identifiers is on the list, and since when. */
export async function objectionStatus(db: DbOrTx, r: Pick<RequestRow, "email" | "phone">): Promise<ObjectionStatus> {
  return mapInOrder(identifiersOf(r), async (i) => ({
    kind: i.kind,
    since: (await first(db.select({ addedAt: suppressionList.addedAt }).from(suppressionList).where(lookup(i.kind, i.hash))))?.addedAt ?? null,
  }));
}

/** Whether one identifier is on the list; a value that does not normalise is an input error. */
export async function isSuppressed(db: DbOrTx, kind: SuppressionKind, value: string): Promise<boolean> {
  const normalised = normaliseIdentifier(kind, value);
  if (!normalised) throw new DomainError("invalid_input", { field: kind });
  return Boolean(await first(db.select({ id: suppressionList.id }).from(suppressionList).where(lookup(kind, suppressionHash(kind, normalised)))));
}

function lookup(kind: SuppressionKind, hash: string) {
  return and(eq(suppressionList.kind, kind), eq(suppressionList.hash, hash));
}

function requireChecker(actor: Actor) {
  // The API (authenticated by its bearer token) and the CLI act as the system; in the back office, the DPO.
  if (actor.kind !== "system") requireRole(actor, "dpo");
}

/**
 * A dialling campaign's check: one boolean per number, in order. The whole
 * batch is refused when one entry is not a phone number (its position says
 * which). The audit trail records how many were checked, never which.
 */
export async function checkPhones({ ctx, phones, via }: { ctx: Ctx; phones: string[]; via: "api" | "cli" | "back_office" }): Promise<boolean[]> {
  requireChecker(ctx.actor);
  if (phones.length === 0 || phones.length > MAX_BATCH) throw new DomainError("invalid_input", { code: "batch_size", max: MAX_BATCH });
  const hashes = phones.map((p, index) => {
    const normalised = normaliseIdentifier("phone", p);
    if (!normalised) throw new DomainError("invalid_input", { code: "phone_invalid", index });
    return suppressionHash("phone", normalised);
  });
  return await withTx(ctx, async (tx) => {
    const listed = new Set<string>();
    const unique = [...new Set(hashes)];
    for (let i = 0; i < unique.length; i += 500) {
      const part = unique.slice(i, i + 500);
      // (kind, hash) is the unique index: one indexed probe per number.
      const rows = await tx.select({ hash: suppressionList.hash }).from(suppressionList).where(and(eq(suppressionList.kind, "phone"), inArray(suppressionList.hash, part)));
      for (const row of rows) listed.add(row.hash);
    }
    await audit.append(tx, { actor: ctx.actor, action: "suppression.checked", details: { via, count: phones.length }, at: ctx.now });
    return hashes.map((h) => listed.has(h));
  });
}

/** The list as CSV (kind,hash,added_at), for campaign tools that hold the same key. Never a value. */
export async function exportHashes({ ctx, via }: { ctx: Ctx; via: "api" | "cli" | "back_office" }): Promise<{ csv: string; count: number }> {
  requireChecker(ctx.actor);
  return await withTx(ctx, async (tx) => {
    const rows = await tx
      .select({ kind: suppressionList.kind, hash: suppressionList.hash, addedAt: suppressionList.addedAt })
      .from(suppressionList)
      .orderBy(asc(suppressionList.id));
    const lines = ["kind,hash,added_at", ...rows.map((r) => `${r.kind},${r.hash},${r.addedAt.toISOString()}`)];
    await audit.append(tx, { actor: ctx.actor, action: "suppression.exported", details: { via, count: rows.length }, at: ctx.now });
    return { csv: `${lines.join("\r\n")}\r\n`, count: rows.length };
  });
}
