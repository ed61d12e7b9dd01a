import { and, asc, eq, inArray, lt, ne } from "drizzle-orm";
import { z } from "zod";
import { controllerReferrals, INSTRUCTIONS, type ControllerReferral, type Instruction, type ReferredRecord } from "../../db/schema/referrals";
import { processingOperations, registerClients, type RegisterClient } from "../../db/schema/register";
import { requests, type RequestRow } from "../../db/schema/requests";
import { controllerReferral, type ControllerPart } from "../../emails/referrals";
import type { Match } from "../connectors/types";
import { formatLocalDate } from "../i18n";
import type { DbOrTx } from "../utils/db.server";
import { env } from "../utils/env.server";
import { log } from "../utils/log.server";
import { organisation } from "../utils/organisation.server";
import { registerDatasetId } from "./register.server";
import * as audit from "./audit.server";
import { requireRole, requireStaff } from "./authz";
import type { Ctx } from "./context";
import { DomainError } from "./errors";
import * as outbox from "./outbox.server";
import { addEvent } from "./requests.server";
import { OPEN_STATUSES } from "./tickets.server";
import { loadTicket } from "./ticket-access.server";
import { staffNames } from "./staff.server";
import { first, withTx } from "../utils/db.server";
import { mapInOrder } from "../utils/in-order";

/**
 * Data CentreCall holds as a processor (register operations whose role is
 * "processor") belongs to the client named as their controller. RightsDesk
 * never exports, rectifies, restricts or erases it on its own decision: the
 * request is forwarded to that client (through the outbox, tracked here),
 * and each of those actions includes the data only once an instruction
 * allowing it is recorded (Art. 28(3)(a) and (e), Art. 29). Until then every
 * service leaves it out and says so, to staff and to the person.
 * ADR 0013 describes the lifecycle.
 */

/** What an action on a processor's data needs from the controller. */
export type HeldAction = "export" | "erase" | "rectify" | "restrict";

const ALLOWS: Partial<Record<Instruction, HeldAction>> = { answer: "export", erase: "erase", rectify: "rectify", restrict: "restrict" };

/** The right an instruction answers: "erase" on a request that did not ask for erasure is refused. */
const NEEDS_RIGHT: Partial<Record<Instruction, string[]>> = { answer: ["access", "portability"], erase: ["erasure"], rectify: ["rectification"], restrict: ["restriction"] };

/** At most this many reminders; after them the ticket shows the wait and staff follow it up by other means. */
export const MAX_REMINDERS = 3;

type ProcessorOp = { code: string; name: string; client: string };

/** Register dataset id → the processor operations naming it, with their client. */
export async function processorDatasets(db: DbOrTx): Promise<Map<string, ProcessorOp[]>> {
  const out = new Map<string, ProcessorOp[]>();
  const ops = await db
    .select({ code: processingOperations.code, name: processingOperations.name, datasets: processingOperations.datasets, client: processingOperations.controllerClient })
    .from(processingOperations)
    .where(eq(processingOperations.role, "processor"));
  for (const op of ops) {
    if (!op.client) continue;
    for (const d of op.datasets) out.set(d, [...(out.get(d) ?? []), { code: op.code, name: op.name, client: op.client }]);
  }
  return out;
}

const recordId = (r: ReferredRecord) => `${r.connectorId}\u0000${r.dataset}\u0000${r.key}`;

async function clientByCode(db: DbOrTx, code: string): Promise<RegisterClient | undefined> {
  return await first(db.select().from(registerClients).where(eq(registerClients.code, code)));
}

function dueOnOf(r: Pick<RequestRow, "extended" | "extendedDueOn" | "dueOn" | "effectiveDueOn">): string | null {
  return (r.extended ? r.extendedDueOn : r.dueOn) ?? r.effectiveDueOn;
}

async function referralMail(db: DbOrTx, r: RequestRow, ref: Pick<ControllerReferral, "datasets" | "records" | "sentAt">, client: RegisterClient, reminder: number) {
  const org = organisation();
  const ops = [...(await processorDatasets(db)).entries()].flatMap(([ds, list]) => (ref.datasets.includes(ds) ? list.filter((o) => o.client === client.code) : []));
  const operations = [...new Map(ops.map((o) => [o.code, { code: o.code, name: o.name }])).values()];
  const byDataset = new Map<string, string[]>();
  for (const rec of ref.records) byDataset.set(rec.dataset, [...(byDataset.get(rec.dataset) ?? []), rec.key]);
  const due = dueOnOf(r);
  return controllerReferral({
    reference: r.reference,
    client: client.name,
    operations,
    rights: r.rights,
    records: [...byDataset].map(([dataset, keys]) => ({ dataset, keys })),
    dueOn: due ? formatLocalDate(due, "fr") : "—",
    dpo: org.dpo,
    controllerName: org.controller.name,
    reminder,
    sentOn: formatLocalDate(ref.sentAt.toISOString().slice(0, 10), "fr"),
  });
}

/**
 * Called in the transaction that records a connector's finished search: the
 * records it found in a processor's datasets are referred to their client,
 * once per request and client (a search run again adds records to the
 * referral already sent, without sending it again).
 */
export async function referAfterGather(tx: DbOrTx, ctx: Ctx, r: RequestRow, connector: { id: string; kind: string }, matches: Match[]) {
  if (!matches.length) return;
  const proc = await processorDatasets(tx);
  if (!proc.size) return;
  const byClient = new Map<string, { datasets: Set<string>; records: ReferredRecord[] }>();
  for (const m of matches) {
    const ds = registerDatasetId(connector.kind, m.dataset);
    for (const op of proc.get(ds) ?? []) {
      const entry = byClient.get(op.client) ?? byClient.set(op.client, { datasets: new Set(), records: [] }).get(op.client)!;
      entry.datasets.add(ds);
      entry.records.push({ connectorId: connector.id, dataset: m.dataset, key: m.key });
    }
  }
  for (const [code, found] of byClient) {
    const existing = await first(tx
      .select()
      .from(controllerReferrals)
      .where(and(eq(controllerReferrals.requestId, r.id), eq(controllerReferrals.clientCode, code))));
    if (existing) {
      const known = new Set(existing.records.map(recordId));
      const added = found.records.filter((x) => !known.has(recordId(x)));
      if (added.length) {
        await tx.update(controllerReferrals)
          .set({ records: [...existing.records, ...added], datasets: [...new Set([...existing.datasets, ...found.datasets])] })
          .where(eq(controllerReferrals.id, existing.id));
      }
      continue;
    }
    const client = await clientByCode(tx, code);
    if (!client) {
      // The register names a client it does not describe: nothing can be sent, and the data stays held.
      log.warn("referral.client_unknown", { reference: r.reference, client: code });
      await audit.append(tx, { actor: ctx.actor, action: "referral.client_unknown", reference: r.reference, details: { client: code }, at: ctx.now });
      continue;
    }
    const unique = [...new Map(found.records.map((x) => [recordId(x), x])).values()];
    const row = { requestId: r.id, clientCode: code, datasets: [...found.datasets], records: unique, status: "sent" as const, sentAt: ctx.now };
    const outboxId = await outbox.enqueue(tx, { channel: "email", to: client.contactEmail, template: "controller_referral", requestId: r.id, ...(await referralMail(tx, r, row, client, 0)) }, ctx.now);
    await tx.insert(controllerReferrals).values({ ...row, outboxId });
    await addEvent(tx, r.id, ctx, "controller_referred", { client: code });
    await audit.append(tx, { actor: ctx.actor, action: "referral.sent", reference: r.reference, details: { client: code, datasets: row.datasets, records: unique.length }, at: ctx.now });
  }
}

// ---------------------------------------------------------------------------
// What the services may act on

export type ReferralView = {
  id: number;
  clientCode: string;
  client: string;
  contact: string;
  datasets: string[];
  records: number;
  status: ControllerReferral["status"];
  sentAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  reminders: number;
  lastRemindedAt: Date | null;
  instructions: { kind: Instruction; note: string | null; by: string | null; at: Date }[];
};

export async function referralsOf(db: DbOrTx, requestId: number): Promise<ReferralView[]> {
  const rows = await db.select().from(controllerReferrals).where(eq(controllerReferrals.requestId, requestId)).orderBy(asc(controllerReferrals.id));
  if (!rows.length) return [];
  const names = await staffNames(db, rows.flatMap((r) => [r.acknowledgedBy, ...r.instructions.map((i) => i.by)]));
  return mapInOrder(rows, async (r) => {
    const client = await clientByCode(db, r.clientCode);
    return {
      id: r.id,
      clientCode: r.clientCode,
      client: client?.name ?? r.clientCode,
      contact: client?.contactEmail ?? "",
      datasets: r.datasets,
      records: r.records.length,
      status: r.status,
      sentAt: r.sentAt,
      acknowledgedAt: r.acknowledgedAt,
      acknowledgedBy: r.acknowledgedBy ? (names.get(r.acknowledgedBy) ?? null) : null,
      reminders: r.reminders,
      lastRemindedAt: r.lastRemindedAt,
      instructions: r.instructions.map((i) => ({ kind: i.kind, note: i.note, by: names.get(i.by) ?? null, at: new Date(i.at) })),
    };
  });
}

function partState(ref: Pick<ReferralView, "instructions">, action: HeldAction | null): ControllerPart["state"] {
  const kinds = ref.instructions.map((i) => i.kind);
  if (!kinds.length) return "awaiting";
  if (action ? kinds.some((k) => ALLOWS[k] === action) : kinds.some((k) => ALLOWS[k])) return "included";
  if (kinds.includes("refuse")) return "refused";
  if (kinds.includes("controller_answers")) return "controller_answers";
  return "not_instructed";
}

/** Where each controller's part stands, for what the person reads (`action` null: the request as a whole). */
export async function controllerParts(db: DbOrTx, requestId: number, action: HeldAction | null): Promise<ControllerPart[]> {
  return (await referralsOf(db, requestId)).map((ref) => ({
    client: ref.client,
    contact: ref.contact,
    state: partState(ref, action),
    note: ref.instructions.filter((i) => i.kind === "refuse").at(-1)?.note ?? null,
  }));
}

export type Hold = {
  /** true when this connector's dataset is held for a controller that has not allowed `action` */
  withheld(connectorId: string, dataset: string): boolean;
  /** the parts concerned, for the letter and the page */
  parts: ControllerPart[];
};

/**
 * What `action` must leave out for this request: records of a processor's
 * datasets whose client has not instructed it. Built from the register, not
 * from the referrals alone, so data held for a client the register does not
 * describe stays out too.
 */
export async function holdFor(db: DbOrTx, requestId: number, action: HeldAction, kindOf: (connectorId: string) => string | undefined): Promise<Hold> {
  const proc = await processorDatasets(db);
  const refs = new Map((await referralsOf(db, requestId)).map((r) => [r.clientCode, r]));
  const allowed = (client: string) => {
    const ref = refs.get(client);
    return !!ref && ref.instructions.some((i) => ALLOWS[i.kind] === action);
  };
  return {
    withheld(connectorId, dataset) {
      const kind = kindOf(connectorId);
      if (!kind) return false;
      const ops = proc.get(registerDatasetId(kind, dataset));
      return !!ops?.some((o) => !allowed(o.client));
    },
    parts: await controllerParts(db, requestId, action),
  };
}

/** Only what `hold` does not keep back. */
export function released<T extends { connectorId: string; dataset: string }>(items: T[], hold: Hold): T[] {
  return items.filter((i) => !hold.withheld(i.connectorId, i.dataset));
}

/**
 * A request cannot be closed while a controller's instructions are awaited:
 * that part of the request would be dropped without anyone answering it.
 */
export async function requireControllersAnswered(db: DbOrTx, requestId: number) {
  const waiting = await db
    .select({ client: controllerReferrals.clientCode })
    .from(controllerReferrals)
    .where(and(eq(controllerReferrals.requestId, requestId), ne(controllerReferrals.status, "instructed")));
  if (waiting.length) throw new DomainError("conflict", { code: "awaiting_controller", clients: waiting.map((w) => w.client) });
}

// ---------------------------------------------------------------------------
// Staff record what the controller said

async function referralOf(tx: DbOrTx, requestId: number, referralId: number): Promise<ControllerReferral> {
  const ref = await first(tx
    .select()
    .from(controllerReferrals)
    .where(and(eq(controllerReferrals.id, referralId), eq(controllerReferrals.requestId, requestId))));
  if (!ref) throw new DomainError("not_found", { what: "referral" });
  return ref;
}

export async function acknowledgeReferral({ ctx, reference, referralId }: { ctx: Ctx; reference: string; referralId: number }) {
  const me = requireStaff(ctx.actor);
  return await withTx(ctx, async (tx) => {
    // The ticket first: another site's answers as a missing one does, whatever the role.
    const r = await loadTicket(tx, me, reference);
    requireRole(me, "dpo", "support");
    const ref = await referralOf(tx, r.id, referralId);
    if (ref.status !== "sent") throw new DomainError("conflict", { code: "referral_already_acknowledged" });
    await tx.update(controllerReferrals).set({ status: "acknowledged", acknowledgedAt: ctx.now, acknowledgedBy: me.id }).where(and(eq(controllerReferrals.id, ref.id), eq(controllerReferrals.status, "sent")));
    await addEvent(tx, r.id, ctx, "controller_acknowledged", { client: ref.clientCode });
    await audit.append(tx, { actor: me, action: "referral.acknowledged", reference: r.reference, details: { referral: ref.id, client: ref.clientCode }, at: ctx.now });
  });
}

export const InstructionInput = z
  .object({
    instruction: z.enum(INSTRUCTIONS),
    note: z
      .string()
      .trim()
      .max(1000)
      .transform((s) => s || null),
  })
  .refine((v) => v.instruction !== "refuse" || !!v.note, { path: ["note"], message: "reason_required" });

export async function recordInstruction({ ctx, reference, referralId, input }: { ctx: Ctx; reference: string; referralId: number; input: unknown }) {
  const me = requireStaff(ctx.actor);
  const parsed = InstructionInput.safeParse(input);
  if (!parsed.success) {
    const reason = parsed.error.issues.some((i) => i.message === "reason_required") ? "instruction_reason_required" : "instruction_invalid";
    throw new DomainError("invalid_input", { code: reason });
  }
  const { instruction, note } = parsed.data;
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    requireRole(me, "dpo", "support");
    if (!OPEN_STATUSES.includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "instruction" });
    const ref = await referralOf(tx, r.id, referralId);
    const needs = NEEDS_RIGHT[instruction];
    if (needs && !needs.some((right) => r.rights.includes(right as never))) throw new DomainError("invalid_input", { code: "instruction_not_requested" });
    await tx.update(controllerReferrals)
      .set({
        status: "instructed",
        instructions: [...ref.instructions, { kind: instruction, note, by: me.id, at: ctx.now.getTime() }],
        instructedAt: ref.instructedAt ?? ctx.now,
        // Instructions are also a receipt.
        acknowledgedAt: ref.acknowledgedAt ?? ctx.now,
        acknowledgedBy: ref.acknowledgedBy ?? me.id,
      })
      .where(eq(controllerReferrals.id, ref.id));
    await addEvent(tx, r.id, ctx, "controller_instructed", { client: ref.clientCode, instruction });
    // The note may quote the client's reasons: the trail keeps that there is one, not its words.
    await audit.append(tx, { actor: me, action: "referral.instructed", reference: r.reference, details: { referral: ref.id, client: ref.clientCode, instruction, note: note !== null }, at: ctx.now });
  });
}

// ---------------------------------------------------------------------------
// Reminders

/**
 * Reminds each controller that has not instructed us within
 * CONTROLLER_REMINDER_DAYS of the request (or of the last reminder), at most
 * MAX_REMINDERS times. Safe in several processes at once: a reminder is owed
 * by a compare-and-set on the referral's reminder count, in the transaction
 * that queues it, so only one process sends each (ADR 0012).
 */
export async function sweepReferralReminders({ ctx }: { ctx: Ctx }): Promise<number> {
  const days = env().CONTROLLER_REMINDER_DAYS;
  const cutoff = new Date(ctx.now.getTime() - days * 86_400_000);
  const due = await ctx.db
    .select({ id: controllerReferrals.id })
    .from(controllerReferrals)
    .innerJoin(requests, eq(requests.id, controllerReferrals.requestId))
    .where(and(ne(controllerReferrals.status, "instructed"), lt(controllerReferrals.reminders, MAX_REMINDERS), inArray(requests.status, OPEN_STATUSES)));
  let sent = 0;
  for (const { id } of due) {
    const done = await withTx(ctx, async (tx) => {
      const ref = await first(tx.select().from(controllerReferrals).where(eq(controllerReferrals.id, id)));
      if (!ref || ref.status === "instructed" || ref.reminders >= MAX_REMINDERS) return false;
      if ((ref.lastRemindedAt ?? ref.sentAt).getTime() > cutoff.getTime()) return false;
      const won = await tx
        .update(controllerReferrals)
        .set({ reminders: ref.reminders + 1, lastRemindedAt: ctx.now })
        .where(and(eq(controllerReferrals.id, ref.id), eq(controllerReferrals.reminders, ref.reminders), ne(controllerReferrals.status, "instructed")));
      if (won.changes !== 1) return false;
      const r = (await first(tx.select().from(requests).where(eq(requests.id, ref.requestId))))!;
      const client = await clientByCode(tx, ref.clientCode);
      if (!client) return false;
      await outbox.enqueue(tx, { channel: "email", to: client.contactEmail, template: "controller_reminder", requestId: r.id, ...(await referralMail(tx, r, ref, client, ref.reminders + 1)) }, ctx.now);
      await addEvent(tx, r.id, ctx, "controller_reminded", { client: ref.clientCode, reminder: ref.reminders + 1 });
      await audit.append(tx, { actor: ctx.actor, action: "referral.reminded", reference: r.reference, details: { referral: ref.id, client: ref.clientCode, reminder: ref.reminders + 1 }, at: ctx.now });
      return true;
    });
    if (done) sent++;
  }
  return sent;
}
