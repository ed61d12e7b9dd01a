import { asc, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { processingOperationHistory, processingOperations, registerClients, type ProcessingOperation, type Transfer } from "../../db/schema/register";
import type { DbOrTx } from "../utils/db.server";
import { organisation } from "../utils/organisation.server";
import * as audit from "./audit.server";
import { requireRole, requireStaff } from "./authz";
import type { Ctx } from "./context";
import { DomainError } from "./errors";
import { staffNames } from "./staff.server";
import { first, withTx } from "../utils/db.server";

/**
 * The Art. 30 record of processing activities. Every staff role reads it (an
 * agent must be able to tell a caller why a call is recorded); only the DPO
 * and administrators change it, and every change keeps the version it
 * replaces, so the register can be shown as it stood on any date.
 */

/** CNIL: call recordings are kept briefly, never more than six months. */
export const RECORDINGS_MAX_DAYS = 183;
const RECORDINGS_PREFIX = "recordings:";

/**
 * Operations every requester is subject to, whatever the connectors found:
 * the handling of their own request (OP-07) lives in RightsDesk itself.
 */
export const REQUEST_HANDLING_DATASET = "rightsdesk:requests";

/** Error keys, translated where they are shown (app/i18n/admin/register.ts). */
export type RegisterIssue =
  | "required"
  | "too_long"
  | "too_many"
  | "invalid"
  | "integer"
  | "retention_range"
  | "recording_retention_required"
  | "recording_retention_max"
  | "dataset_invalid"
  | "code_invalid"
  | "code_taken"
  | "transfer_invalid"
  | "client_required"
  | "client_unknown"
  | "client_code_invalid"
  | "email_invalid"
  | "alias_taken";

export const issue = (key: RegisterIssue) => ({ error: key });

export const text = (max: number) =>
  z
    .string(issue("required"))
    .transform((s) => s.trim())
    .pipe(z.string().min(1, issue("required")).max(max, issue("too_long")));

/** A list is typed one item per line in the back office, or given as an array by code. */
export const list = (opts: { min: number; item?: z.ZodType<string, string> }) =>
  z
    .union([z.string(), z.array(z.string())], issue("invalid"))
    .transform((v) => {
      const items = (Array.isArray(v) ? v : v.split(/\r?\n/)).map((s) => s.trim().replace(/\s+/g, " ")).filter(Boolean);
      return [...new Set(items)];
    })
    .pipe(
      z
        .array(opts.item ?? z.string().max(300, issue("too_long")))
        .min(opts.min, issue("required"))
        .max(50, issue("too_many")),
    );

const dataset = z
  .string()
  .max(100, issue("too_long"))
  .regex(/^[a-z][a-z0-9-]*:[a-z][a-z0-9_-]*$/, issue("dataset_invalid"));

/** Empty means "no fixed duration" (the retention text then gives the criteria, Art. 15(1)(d)). */
const retentionDays = z
  .union([z.string(), z.number(), z.null(), z.undefined()], issue("integer"))
  .transform((v, c) => {
    if (v === null || v === undefined) return null;
    const s = String(v).trim();
    if (s === "") return null;
    if (!/^\d{1,6}$/.test(s)) {
      c.addIssue({ code: "custom", message: "integer" });
      return z.NEVER;
    }
    return Number(s);
  })
  .pipe(z.number().int().min(1, issue("retention_range")).max(36_500, issue("retention_range")).nullable());

/** One transfer per line: "recipient ; country ; safeguard" (Art. 30(1)(e)). */
export const transfers = z
  .union([z.string(), z.array(z.object({ recipient: z.string(), country: z.string(), safeguard: z.string() }))], issue("invalid"))
  .transform((v, c) => {
    if (Array.isArray(v)) return v.map((t) => ({ recipient: t.recipient.trim(), country: t.country.trim(), safeguard: t.safeguard.trim() }));
    const out: Transfer[] = [];
    for (const line of v.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
      const parts = line.split(";").map((p) => p.trim());
      if (parts.length !== 3 || parts.some((p) => !p)) {
        c.addIssue({ code: "custom", message: "transfer_invalid" });
        return z.NEVER;
      }
      out.push({ recipient: parts[0]!, country: parts[1]!, safeguard: parts[2]! });
    }
    return out;
  })
  .pipe(z.array(z.object({ recipient: z.string().min(1).max(300, issue("too_long")), country: z.string().min(1).max(100, issue("too_long")), safeguard: z.string().min(1).max(300, issue("too_long")) })).max(50, issue("too_many")));

/** Empty means none. */
const optionalText = (max: number) =>
  z
    .union([z.string(), z.null(), z.undefined()], issue("invalid"))
    .transform((s) => (s ?? "").trim() || null)
    .pipe(z.string().max(max, issue("too_long")).nullable());

const clientCode = z
  .union([z.string(), z.null(), z.undefined()], issue("invalid"))
  .transform((s) => (s ?? "").trim().toUpperCase() || null)
  .pipe(z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,39}$/, issue("invalid")).nullable());

const fields = {
  name: text(200),
  purpose: text(2_000),
  legalBasis: text(1_000),
  dataCategories: list({ min: 1 }),
  personCategories: list({ min: 1 }),
  recipients: list({ min: 1 }),
  source: text(1_000),
  retention: text(1_000),
  retentionDays,
  datasets: list({ min: 0, item: dataset }),
  role: z.enum(["controller", "processor", "joint_controller"], issue("invalid")).default("controller"),
  controllerClient: clientCode.default(null),
  jointControllers: list({ min: 0 }).default([]),
  processors: list({ min: 0 }).default([]),
  transfers: transfers.default([]),
  securityMeasures: list({ min: 0 }).default([]),
  sensitiveData: optionalText(1_000).default(null),
};

/** The editable content of an operation (also what its page shows). */
export type Editable = {
  name: string;
  purpose: string;
  legalBasis: string;
  dataCategories: string[];
  personCategories: string[];
  recipients: string[];
  source: string;
  retention: string;
  retentionDays: number | null;
  datasets: string[];
  role: "controller" | "processor" | "joint_controller";
  controllerClient: string | null;
  jointControllers: string[];
  processors: string[];
  transfers: Transfer[];
  securityMeasures: string[];
  sensitiveData: string | null;
};

/** A processor acts for a named client; a joint controller names the others. */
function roleRule(v: Editable, c: z.RefinementCtx) {
  if (v.role === "processor" && !v.controllerClient) c.addIssue({ code: "custom", path: ["controllerClient"], message: "client_required" });
  if (v.role === "joint_controller" && !v.jointControllers.length) c.addIssue({ code: "custom", path: ["jointControllers"], message: "required" });
}

function recordingsRule(v: Editable, c: z.RefinementCtx) {
  roleRule(v, c);
  if (!v.datasets.some((d) => d.startsWith(RECORDINGS_PREFIX))) return;
  if (v.retentionDays === null) c.addIssue({ code: "custom", path: ["retentionDays"], message: "recording_retention_required" });
  else if (v.retentionDays > RECORDINGS_MAX_DAYS) c.addIssue({ code: "custom", path: ["retentionDays"], message: "recording_retention_max" });
}

/** The controller client only means something when CentreCall acts as processor: otherwise it is not kept. */
const clientOnlyForProcessor = <T extends Editable>(v: T): T => (v.role === "processor" ? v : { ...v, controllerClient: null });

/** What the DPO may change on an operation; the code is its identity and stays. */
export const OperationInput = z.object(fields).superRefine(recordingsRule).transform(clientOnlyForProcessor);
export type OperationInput = z.infer<typeof OperationInput>;
export type OperationField = keyof typeof fields;
export const OPERATION_FIELDS = Object.keys(fields) as OperationField[];

export const NewOperationInput = z
  .object({
    code: z
      .string(issue("required"))
      .transform((s) => s.trim().toUpperCase())
      .pipe(z.string().regex(/^OP-\d{2,4}$/, issue("code_invalid"))),
    ...fields,
  })
  .superRefine(recordingsRule)
  .transform(clientOnlyForProcessor);
export type NewOperationInput = z.infer<typeof NewOperationInput>;

export type FieldErrors = Partial<Record<OperationField | "code", RegisterIssue>>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: Record<string, RegisterIssue> = {};
  for (const i of error.issues) {
    const key = String(i.path[0] ?? "form");
    out[key] ??= (/^[a-z_]+$/.test(i.message) ? i.message : "invalid") as RegisterIssue;
  }
  return out as FieldErrors;
}

/** Validation failures carry every field's issue key, never the submitted values. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const errors = fieldErrors(parsed.error);
  const [field, key] = Object.entries(errors)[0] ?? ["form", "invalid"];
  throw new DomainError("invalid_input", { field, issue: key, fields: errors });
}

type Snapshot = Editable & { code: string; version: number; updatedAt: number; updatedBy: number | null };

function snapshotOf(op: ProcessingOperation): Snapshot {
  return {
    code: op.code,
    name: op.name,
    purpose: op.purpose,
    legalBasis: op.legalBasis,
    dataCategories: op.dataCategories,
    personCategories: op.personCategories,
    recipients: op.recipients,
    source: op.source,
    retention: op.retention,
    retentionDays: op.retentionDays,
    datasets: op.datasets,
    role: op.role,
    controllerClient: op.controllerClient,
    jointControllers: op.jointControllers,
    processors: op.processors,
    transfers: op.transfers,
    securityMeasures: op.securityMeasures,
    sensitiveData: op.sensitiveData,
    version: op.version,
    updatedAt: op.updatedAt.getTime(),
    updatedBy: op.updatedBy,
  };
}

function changedFields(before: Partial<Editable>, after: Editable): OperationField[] {
  return OPERATION_FIELDS.filter((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(after[f] ?? null));
}

/** The operation names a client of the register, or is refused with the message next to the select. */
async function requireKnownClient(db: DbOrTx, code: string | null) {
  if (code === null) return;
  const found = await first(db.select({ id: registerClients.id }).from(registerClients).where(eq(registerClients.code, code)));
  if (!found) throw new DomainError("invalid_input", { field: "controllerClient", issue: "client_unknown", fields: { controllerClient: "client_unknown" } });
}

/** Code and name of every client, for the operation form's select and to name a client wherever its code is stored. */
export async function clientNames(db: DbOrTx): Promise<{ code: string; name: string }[]> {
  return await db.select({ code: registerClients.code, name: registerClients.name }).from(registerClients).orderBy(asc(registerClients.name));
}

async function findByCode(db: DbOrTx, code: string): Promise<ProcessingOperation> {
  const op = await first(db.select().from(processingOperations).where(eq(processingOperations.code, code)));
  if (!op) throw new DomainError("not_found", { what: "operation" });
  return op;
}

export type OperationSummary = Pick<
  ProcessingOperation,
  "code" | "name" | "purpose" | "legalBasis" | "retention" | "retentionDays" | "role" | "controllerClient" | "version" | "updatedAt"
> & {
  updatedByName: string | null;
  controllerClientName: string | null;
};

/** The whole register, in code order. Any signed-in staff member. */
export async function listOperations(ctx: Ctx): Promise<OperationSummary[]> {
  requireStaff(ctx.actor);
  const rows = await ctx.db.select().from(processingOperations).orderBy(asc(processingOperations.code));
  const names = await staffNames(ctx.db, rows.map((r) => r.updatedBy));
  const clients = new Map((await clientNames(ctx.db)).map((c) => [c.code, c.name]));
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    purpose: r.purpose,
    legalBasis: r.legalBasis,
    retention: r.retention,
    retentionDays: r.retentionDays,
    role: r.role,
    controllerClient: r.controllerClient,
    controllerClientName: r.controllerClient === null ? null : (clients.get(r.controllerClient) ?? r.controllerClient),
    version: r.version,
    updatedAt: r.updatedAt,
    updatedByName: r.updatedBy === null ? null : (names.get(r.updatedBy) ?? `#${r.updatedBy}`),
  }));
}

/** One replaced version of a register entry (an operation, a client), as its page shows it. */
export type VersionEntry<S, F> = {
  version: number;
  snapshot: S;
  /** when this version was written, and by whom */
  writtenAt: Date;
  writtenByName: string | null;
  /** when it was replaced, and by whom */
  replacedAt: Date;
  replacedByName: string | null;
  /** what the next version changed */
  changed: F[];
};
export type HistoryEntry = VersionEntry<Snapshot, OperationField>;

/**
 * The history of a versioned register entry, newest first: each replaced
 * version with who wrote and who replaced it, and what the next one changed.
 * `rows` are its history rows, newest first; `current` the entry as it is.
 */
export async function versionHistory<S extends { updatedAt: number; updatedBy: number | null }, F>(
  db: DbOrTx,
  a: { rows: { version: number; snapshot: unknown; changedAt: Date; changedBy: number | null }[]; current: S; currentBy: number | null; changed: (before: S, after: S) => F[] },
): Promise<{ history: VersionEntry<S, F>[]; nameOf: (id: number | null | undefined) => string | null }> {
  const snapshots = a.rows.map((r) => r.snapshot as S);
  const names = await staffNames(db, [a.currentBy, ...a.rows.map((r) => r.changedBy), ...snapshots.map((s) => s.updatedBy ?? null)]);
  const nameOf = (id: number | null | undefined) => (id === null || id === undefined ? null : (names.get(id) ?? `#${id}`));
  const history = a.rows.map((r, i) => {
    const snapshot = snapshots[i]!;
    const next = i === 0 ? a.current : snapshots[i - 1]!;
    return {
      version: r.version,
      snapshot,
      writtenAt: new Date(snapshot.updatedAt),
      writtenByName: nameOf(snapshot.updatedBy),
      replacedAt: r.changedAt,
      replacedByName: nameOf(r.changedBy),
      changed: a.changed(snapshot, next),
    };
  });
  return { history, nameOf };
}

export type OperationView = {
  operation: ProcessingOperation & { updatedByName: string | null };
  history: HistoryEntry[];
  /** every client, for the controller select and to name the client a version's code points to */
  clients: { code: string; name: string }[];
  canEdit: boolean;
};

/** One operation with its earlier versions, newest first. Any signed-in staff member. */
export async function getOperation(ctx: Ctx, code: string): Promise<OperationView> {
  const actor = requireStaff(ctx.actor);
  const op = await findByCode(ctx.db, code);
  const rows = await ctx.db
    .select()
    .from(processingOperationHistory)
    .where(eq(processingOperationHistory.operationId, op.id))
    .orderBy(desc(processingOperationHistory.version), desc(processingOperationHistory.id));
  const { history, nameOf } = await versionHistory(ctx.db, { rows, current: snapshotOf(op), currentBy: op.updatedBy, changed: changedFields });
  return {
    operation: { ...op, updatedByName: nameOf(op.updatedBy) },
    history,
    clients: await clientNames(ctx.db),
    canEdit: actor.role === "dpo" || actor.role === "admin",
  };
}

/**
 * Changes an operation: the replaced version goes to the history, the version
 * is bumped, and the audit trail records which fields changed (not their
 * text). `expectedVersion` is the version the editor was looking at; if
 * someone saved in between, nothing is overwritten.
 */
export async function updateOperation({ ctx, code, input, expectedVersion }: { ctx: Ctx; code: string; input: unknown; expectedVersion?: number }) {
  const actor = requireRole(ctx.actor, "dpo", "admin");
  const values = parseOrThrow(OperationInput, input);
  return await withTx(ctx, async (tx) => {
    const op = await findByCode(tx, code);
    await requireKnownClient(tx, values.controllerClient);
    if (expectedVersion !== undefined && expectedVersion !== op.version) {
      throw new DomainError("conflict", { field: "version", current: op.version });
    }
    const changed = changedFields(op, values);
    if (!changed.length) return { code: op.code, version: op.version, changed };
    const version = op.version + 1;
    await tx.insert(processingOperationHistory)
      .values({ operationId: op.id, version: op.version, snapshot: snapshotOf(op), changedAt: ctx.now, changedBy: actor.id });
    await tx.update(processingOperations)
      .set({ ...values, version, updatedAt: ctx.now, updatedBy: actor.id })
      .where(eq(processingOperations.id, op.id));
    await audit.append(tx, { actor, action: "register.updated", reference: null, details: { code: op.code, version, fields: changed }, at: ctx.now });
    return { code: op.code, version, changed };
  });
}

/** Adds an operation to the register (version 1). DPO or administrator. */
export async function createOperation({ ctx, input }: { ctx: Ctx; input: unknown }) {
  const actor = requireRole(ctx.actor, "dpo", "admin");
  const { code, ...values } = parseOrThrow(NewOperationInput, input);
  return await withTx(ctx, async (tx) => {
    const taken = await first(tx.select({ id: processingOperations.id }).from(processingOperations).where(eq(processingOperations.code, code)));
    if (taken) throw new DomainError("invalid_input", { field: "code", issue: "code_taken", fields: { code: "code_taken" } });
    await requireKnownClient(tx, values.controllerClient);
    await tx.insert(processingOperations)
      .values({ code, ...values, version: 1, updatedAt: ctx.now, updatedBy: actor.id });
    await audit.append(tx, { actor, action: "register.updated", reference: null, details: { code, version: 1, created: true, fields: OPERATION_FIELDS }, at: ctx.now });
    return { code, version: 1 };
  });
}

/**
 * Art. 30(1)(a): who keeps this register: the controller's name and contact
 * details, its representative, and its DPO, from organisation.config.json.
 */
export type RegisterHeader = {
  controller: {
    name: string;
    legalForm: string;
    registration: string;
    address: string;
    phone: string;
    email: string;
    /** who represents the company (its legal representative) */
    representative: string;
    /** Art. 27 representative in the Union, null for a controller established in it */
    euRepresentative: string | null;
  };
  dpo: { name: string; email: string; address: string };
};

export function registerHeader(): RegisterHeader {
  const o = organisation();
  const { name, legalForm, registration, address, phone, email, representative, euRepresentative } = o.controller;
  return { controller: { name, legalForm, registration, address, phone, email, representative, euRepresentative: euRepresentative ?? null }, dpo: o.dpo };
}

/** The register's index: the Art. 30(1)(a) header and the operations. Any signed-in staff member. */
export async function registerOverview(ctx: Ctx): Promise<{ header: RegisterHeader; operations: OperationSummary[] }> {
  const operations = await listOperations(ctx);
  return { header: registerHeader(), operations };
}

export type Art15Entry = {
  code: string;
  name: string;
  purpose: string;
  legalBasis: string;
  dataCategories: string[];
  recipients: string[];
  retention: string;
  source: string;
  /** Art. 15(2): transfers outside the EU/EEA and their safeguards; [] = none */
  transfers: Transfer[];
  /** the processors CentreCall uses for it, named */
  processors: string[];
  /** the register datasets holding its data */
  datasets: string[];
};

/**
 * What Art. 15(1)(a)-(h) asks the controller to tell the person, taken from
 * the register: purposes, categories, recipients, retention and source. With
 * `datasetIds` (the datasets a gather found the person in), only the
 * operations on those datasets, plus the handling of the request itself,
 * which applies to every requester. Without it, the whole register.
 * No actor: this feeds the archive builder, which has already checked one.
 */
export async function art15Information(db: DbOrTx, datasetIds?: string[]): Promise<Art15Entry[]> {
  const rows = await db.select().from(processingOperations).orderBy(asc(processingOperations.code));
  const wanted = datasetIds ? new Set([...datasetIds, REQUEST_HANDLING_DATASET]) : null;
  return rows
    .filter((r) => !wanted || r.datasets.some((d) => wanted.has(d)))
    .map((r) => ({
      code: r.code,
      name: r.name,
      purpose: r.purpose,
      legalBasis: r.legalBasis,
      dataCategories: r.dataCategories,
      recipients: r.recipients,
      retention: r.retention,
      source: r.source,
      transfers: r.transfers,
      processors: r.processors,
      datasets: r.datasets,
    }));
}

// ---------------------------------------------------------------------------
// Connector datasets in the register

/**
 * Connector kind + dataset → the dataset ids the processing register names
 * (scripts/seed-register.ts). Written out rather than derived: the recordings
 * connector calls its only dataset "recordings" while the register, written
 * from the DPO's point of view, calls it "recordings:calls". Any other pair
 * falls back to "<kind>:<dataset>", the register's own convention.
 */
const REGISTER_DATASETS: Record<string, string> = {
  "sql-survey:respondents": "sql-survey:respondents",
  "sql-survey:answers": "sql-survey:answers",
  "recordings:recordings": "recordings:calls",
  "crm-http:contacts": "crm-http:contacts",
  "crm-http:interactions": "crm-http:interactions",
};

export function registerDatasetId(connectorKind: string, dataset: string): string {
  const id = `${connectorKind}:${dataset}`;
  return REGISTER_DATASETS[id] ?? id;
}

/**
 * The register's operations for the datasets that hold this person's data
 * (null: a dataset whose connector is no longer configured).
 * If a dataset with data is missing from the register (a connector added
 * without updating it, or removed from the configuration since the gather),
 * the whole register is given: telling the person too much about our
 * processing is a smaller fault than leaving out the operation their data
 * is in.
 */
export async function art15InformationFor(db: DbOrTx, datasetIds: (string | null)[]): Promise<Art15Entry[]> {
  const known = new Set((await db.select({ datasets: processingOperations.datasets }).from(processingOperations)).flatMap((r) => r.datasets));
  if (datasetIds.some((id) => id === null || !known.has(id))) return await art15Information(db);
  return await art15Information(db, datasetIds as string[]);
}
