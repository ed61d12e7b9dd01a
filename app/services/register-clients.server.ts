import { asc, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { processingOperations, registerClientHistory, registerClients, type RegisterClient, type Transfer } from "../../db/schema/register";
import type { DbOrTx } from "../utils/db.server";
import { organisation } from "../utils/organisation.server";
import * as audit from "./audit.server";
import { requireRole, requireStaff } from "./authz";
import type { Ctx } from "./context";
import { DomainError } from "./errors";
import { issue, list, parseOrThrow, text, transfers, versionHistory, type RegisterIssue, type VersionEntry } from "./register.server";
import { staffNames } from "./staff.server";
import { first, withTx } from "../utils/db.server";

/**
 * The companies CentreCall works for, as the register knows them. Each is
 * named on the records it commissioned (its aliases), which makes it the
 * Art. 19 recipient of those records; where an operation names it as the
 * controller CentreCall processes data for (role "processor"), its page is
 * CentreCall's Art. 30(2) record of the processing carried out on its behalf.
 * Every staff role reads them; the DPO and administrators change them, and
 * every change keeps the version it replaces, like an operation.
 */

const fields = {
  name: text(200),
  aliases: list({ min: 1 }),
  contactEmail: z
    .string(issue("required"))
    .transform((s) => s.trim())
    .pipe(z.string().min(1, issue("required")).max(200, issue("too_long")).pipe(z.email(issue("email_invalid")))),
  address: text(1_000),
  dpoContact: text(500),
  processingCategories: list({ min: 0 }).default([]),
  transfers: transfers.default([]),
  securityMeasures: list({ min: 0 }).default([]),
};

export const ClientInput = z.object(fields);
export type ClientField = keyof typeof fields;
export const CLIENT_FIELDS = Object.keys(fields) as ClientField[];

export const NewClientInput = z.object({
  code: z
    .string(issue("required"))
    .transform((s) => s.trim().toUpperCase())
    .pipe(z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,39}$/, issue("client_code_invalid"))),
  ...fields,
});

export type ClientEditable = {
  name: string;
  aliases: string[];
  contactEmail: string;
  address: string;
  dpoContact: string;
  processingCategories: string[];
  transfers: Transfer[];
  securityMeasures: string[];
};
export type ClientFieldErrors = Partial<Record<ClientField | "code", RegisterIssue>>;

type ClientSnapshot = ClientEditable & { code: string; version: number; updatedAt: number; updatedBy: number | null };

function snapshotOf(c: RegisterClient): ClientSnapshot {
  return {
    code: c.code,
    name: c.name,
    aliases: c.aliases,
    contactEmail: c.contactEmail,
    address: c.address,
    dpoContact: c.dpoContact,
    processingCategories: c.processingCategories,
    transfers: c.transfers,
    securityMeasures: c.securityMeasures,
    version: c.version,
    updatedAt: c.updatedAt.getTime(),
    updatedBy: c.updatedBy,
  };
}

function changedFields(before: Partial<ClientEditable>, after: ClientEditable): ClientField[] {
  return CLIENT_FIELDS.filter((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(after[f] ?? null));
}

async function findClient(db: DbOrTx, code: string): Promise<RegisterClient> {
  const c = await first(db.select().from(registerClients).where(eq(registerClients.code, code.trim().toUpperCase())));
  if (!c) throw new DomainError("not_found", { what: "client" });
  return c;
}

/**
 * An alias names one client only: the value on a record decides who is told
 * about it (Art. 19), so two clients answering to the same value would make
 * that choice a guess. Compared regardless of case and spacing.
 */
async function requireAliasesFree(db: DbOrTx, aliases: string[], exceptId: number | null) {
  const key = (s: string) => s.normalize("NFC").toLocaleLowerCase("fr").replace(/\s+/g, " ").trim();
  const wanted = new Set(aliases.map(key));
  const others = await db.select({ id: registerClients.id, aliases: registerClients.aliases }).from(registerClients);
  if (others.some((o) => o.id !== exceptId && o.aliases.some((a) => wanted.has(key(a))))) {
    throw new DomainError("invalid_input", { field: "aliases", issue: "alias_taken", fields: { aliases: "alias_taken" } });
  }
}

/** The operations of the register in which CentreCall processes data on this client's behalf. */
async function operationsFor(db: DbOrTx, code: string) {
  return await db
    .select({ code: processingOperations.code, name: processingOperations.name, purpose: processingOperations.purpose, transfers: processingOperations.transfers, securityMeasures: processingOperations.securityMeasures })
    .from(processingOperations)
    .where(eq(processingOperations.controllerClient, code))
    .orderBy(asc(processingOperations.code));
}

/** A client for which CentreCall keeps an Art. 30(2) record: some operation processes data for it, or categories are recorded. */
function isProcessorFor(client: RegisterClient, operations: unknown[]): boolean {
  return operations.length > 0 || client.processingCategories.length > 0;
}

export type ClientSummary = {
  code: string;
  name: string;
  contactEmail: string;
  /** codes of the operations CentreCall carries out as its processor */
  operations: string[];
  processorRecord: boolean;
  version: number;
  updatedAt: Date;
  updatedByName: string | null;
};

export async function listClients(ctx: Ctx): Promise<{ clients: ClientSummary[]; canEdit: boolean }> {
  const actor = requireStaff(ctx.actor);
  const rows = await ctx.db.select().from(registerClients).orderBy(asc(registerClients.name));
  const ops = await ctx.db
    .select({ code: processingOperations.code, client: processingOperations.controllerClient })
    .from(processingOperations)
    .orderBy(asc(processingOperations.code));
  const names = await staffNames(ctx.db, rows.map((r) => r.updatedBy));
  return {
    clients: rows.map((r) => {
      const operations = ops.filter((o) => o.client === r.code).map((o) => o.code);
      return {
        code: r.code,
        name: r.name,
        contactEmail: r.contactEmail,
        operations,
        processorRecord: isProcessorFor(r, operations),
        version: r.version,
        updatedAt: r.updatedAt,
        updatedByName: r.updatedBy === null ? null : (names.get(r.updatedBy) ?? `#${r.updatedBy}`),
      };
    }),
    canEdit: actor.role === "dpo" || actor.role === "admin",
  };
}

export type ClientHistoryEntry = VersionEntry<ClientSnapshot, ClientField>;

/** Art. 30(2)(a): the processor (CentreCall) as its record names it. */
export type ProcessorParty = { name: string; address: string; phone: string; email: string; representative: string; dpo: { name: string; email: string; address: string } };

export type ClientView = {
  client: RegisterClient & { updatedByName: string | null };
  history: ClientHistoryEntry[];
  operations: { code: string; name: string; purpose: string }[];
  /** null unless CentreCall is this client's processor; then the Art. 30(2) record */
  processorRecord: null | {
    processor: ProcessorParty;
    /** Art. 30(2)(b): the client's own categories, then the operations naming it */
    categories: string[];
    /** Art. 30(2)(c): the client's record and the operations', without repeats */
    transfers: Transfer[];
    /** Art. 30(2)(d) */
    securityMeasures: string[];
  };
  canEdit: boolean;
};

export function processorParty(): ProcessorParty {
  const o = organisation();
  return { name: o.controller.name, address: o.controller.address, phone: o.controller.phone, email: o.controller.email, representative: o.controller.representative, dpo: o.dpo };
}

function unique<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = JSON.stringify(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** What CentreCall's Art. 30(2) record says for this client, or null when it is not its processor. */
export async function processorRecordOf(db: DbOrTx, client: RegisterClient) {
  const operations = await operationsFor(db, client.code);
  if (!isProcessorFor(client, operations)) return null;
  return {
    processor: processorParty(),
    operations: operations.map(({ code, name, purpose }) => ({ code, name, purpose })),
    categories: unique([...client.processingCategories, ...operations.map((o) => `${o.code} — ${o.name}`)]),
    transfers: unique([...client.transfers, ...operations.flatMap((o) => o.transfers)]),
    securityMeasures: unique([...client.securityMeasures, ...operations.flatMap((o) => o.securityMeasures)]),
  };
}

/** One client, its Art. 30(2) record if any, and its earlier versions, newest first. Any signed-in staff member. */
export async function getClient(ctx: Ctx, code: string): Promise<ClientView> {
  const actor = requireStaff(ctx.actor);
  const client = await findClient(ctx.db, code);
  const rows = await ctx.db
    .select()
    .from(registerClientHistory)
    .where(eq(registerClientHistory.clientId, client.id))
    .orderBy(desc(registerClientHistory.version), desc(registerClientHistory.id));
  const { history, nameOf } = await versionHistory(ctx.db, { rows, current: snapshotOf(client), currentBy: client.updatedBy, changed: changedFields });
  const record = await processorRecordOf(ctx.db, client);
  return {
    client: { ...client, updatedByName: nameOf(client.updatedBy) },
    history,
    operations: record?.operations ?? [],
    processorRecord: record && { processor: record.processor, categories: record.categories, transfers: record.transfers, securityMeasures: record.securityMeasures },
    canEdit: actor.role === "dpo" || actor.role === "admin",
  };
}

/**
 * Changes a client's record: the replaced version goes to the history, the
 * version is bumped, and the audit trail records which fields changed (never
 * their text). `expectedVersion` protects a concurrent edit.
 */
export async function updateClient({ ctx, code, input, expectedVersion }: { ctx: Ctx; code: string; input: unknown; expectedVersion?: number }) {
  const actor = requireRole(ctx.actor, "dpo", "admin");
  const values = parseOrThrow(ClientInput, input) as ClientEditable;
  return await withTx(ctx, async (tx) => {
    const client = await findClient(tx, code);
    if (expectedVersion !== undefined && expectedVersion !== client.version) {
      throw new DomainError("conflict", { field: "version", current: client.version });
    }
    await requireAliasesFree(tx, values.aliases, client.id);
    const changed = changedFields(client, values);
    if (!changed.length) return { code: client.code, version: client.version, changed };
    const version = client.version + 1;
    await tx.insert(registerClientHistory)
      .values({ clientId: client.id, version: client.version, snapshot: snapshotOf(client), changedAt: ctx.now, changedBy: actor.id });
    await tx.update(registerClients)
      .set({ ...values, version, updatedAt: ctx.now, updatedBy: actor.id })
      .where(eq(registerClients.id, client.id));
    await audit.append(tx, { actor, action: "register.client_updated", reference: null, details: { client: client.code, version, fields: changed }, at: ctx.now });
    return { code: client.code, version, changed };
  });
}

/** Adds a client to the register (version 1). DPO or administrator. */
export async function createClient({ ctx, input }: { ctx: Ctx; input: unknown }) {
  const actor = requireRole(ctx.actor, "dpo", "admin");
  const { code, ...values } = parseOrThrow(NewClientInput, input);
  return await withTx(ctx, async (tx) => {
    const taken = await first(tx.select({ id: registerClients.id }).from(registerClients).where(eq(registerClients.code, code)));
    if (taken) throw new DomainError("invalid_input", { field: "code", issue: "code_taken", fields: { code: "code_taken" } });
    await requireAliasesFree(tx, values.aliases, null);
    await tx.insert(registerClients)
      .values({ code, ...values, version: 1, updatedAt: ctx.now, updatedBy: actor.id });
    await audit.append(tx, { actor, action: "register.client_updated", reference: null, details: { client: code, version: 1, created: true, fields: CLIENT_FIELDS }, at: ctx.now });
    return { code, version: 1 };
  });
}
