import { asc } from "drizzle-orm";
import type { Locale } from "../../db/schema/enums";
import { processingOperationHistory, processingOperations, registerClientHistory, registerClients, type Transfer } from "../../db/schema/register";
import { registerMessages } from "../i18n/admin/register";
import { csvTextSemicolon } from "../utils/csv";
import * as audit from "./audit.server";
import { requireStaff } from "./authz";
import type { Ctx } from "./context";
import { parisDate } from "./deadlines";
import { processorRecordOf } from "./register-clients.server";
import { registerHeader } from "./register.server";
import { withTx } from "../utils/db.server";

/**
 * The register as files a CNIL auditor can open: the Art. 30(1) record in the
 * columns of the CNIL's model register (one row per operation), and the
 * Art. 30(2) record (one row per client CentreCall processes data for).
 * Semicolon-separated UTF-8 with a BOM, so that a French spreadsheet opens it
 * in columns with its accents; lists inside a cell are one item per line.
 * Every signed-in staff member reads the register, so every one may export
 * it; each export is journalled.
 */

const lines = (items: string[], none: string) => (items.length ? items.join("\n") : none);
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ", ");

function fileOf(rows: (string | null)[][]): string {
  return `\uFEFF${rows.map((row) => row.map(csvTextSemicolon).join(";")).join("\r\n")}\r\n`;
}

/** When each row was first written: its version 1, kept in the history once it has been replaced. */
function creationDates(history: { ownerId: number; version: number; snapshot: Record<string, unknown> }[]): Map<number, Date> {
  const out = new Map<number, Date>();
  for (const h of history) {
    if (h.version !== 1 || typeof h.snapshot.updatedAt !== "number") continue;
    out.set(h.ownerId, new Date(h.snapshot.updatedAt));
  }
  return out;
}

async function audited(ctx: Ctx, record: "operations" | "clients", rows: number) {
  await withTx(ctx, async (tx) => await audit.append(tx, { actor: ctx.actor, action: "register.exported", details: { record, rows, format: "csv" }, at: ctx.now }));
}

/** The Art. 30(1) record, one row per operation, in the CNIL model's columns. */
export async function exportRegisterCsv({ ctx, locale }: { ctx: Ctx; locale: Locale }) {
  requireStaff(ctx.actor);
  const m = registerMessages[locale];
  const c = m.csv;
  const header = registerHeader();
  const ops = await ctx.db.select().from(processingOperations).orderBy(asc(processingOperations.code));
  const clients = new Map((await ctx.db.select().from(registerClients)).map((cl) => [cl.code, cl]));
  const created = creationDates(
    await ctx.db
      .select({ ownerId: processingOperationHistory.operationId, version: processingOperationHistory.version, snapshot: processingOperationHistory.snapshot })
      .from(processingOperationHistory),
  );
  const transfer = (t: Transfer) => m.transferLine(t);
  const controller = header.controller;
  const ourself = [
    `${controller.name} (${controller.legalForm}, ${controller.registration}), ${c.representedBy(controller.representative)}`,
    oneLine(controller.address),
    `${controller.phone} — ${controller.email}`,
  ].join("\n");
  const dpo = [header.dpo.name, oneLine(header.dpo.address), header.dpo.email].join("\n");
  const rows: (string | null)[][] = [[...c.operations]];
  for (const op of ops) {
    const client = op.role === "processor" && op.controllerClient ? clients.get(op.controllerClient) : undefined;
    const clientName = client?.name ?? op.controllerClient;
    rows.push([
      op.name,
      op.code,
      parisDate(created.get(op.id) ?? op.updatedAt),
      parisDate(op.updatedAt),
      // As a processor, the controller is the client; CentreCall's part is in the role and the Art. 30(2) record.
      client ? [client.name, oneLine(client.address), client.contactEmail].join("\n") : op.role === "processor" ? clientName : ourself,
      client ? client.dpoContact : dpo,
      client ? c.none : (controller.euRepresentative ?? c.noEuRepresentative),
      lines(op.jointControllers, c.none),
      op.role === "processor" ? m.processorFor(clientName ?? "?") : (m.roles[op.role] ?? op.role),
      op.purpose,
      op.legalBasis,
      lines(op.personCategories, c.none),
      lines(op.dataCategories, c.none),
      op.sensitiveData ?? c.noSensitiveData,
      op.source,
      op.retentionDays === null ? op.retention : `${op.retention}\n(${m.days(op.retentionDays)})`,
      lines(op.recipients, c.none),
      lines(op.processors, c.none),
      lines(op.transfers.map(transfer), c.noTransfers),
      lines(op.securityMeasures, c.none),
    ]);
  }
  await audited(ctx, "operations", ops.length);
  return { csv: fileOf(rows), filename: `${c.filenameOperations}-${parisDate(ctx.now)}.csv`, rows: ops.length };
}

/** The Art. 30(2) record: one row per client on whose behalf CentreCall processes data. */
export async function exportClientsCsv({ ctx, locale }: { ctx: Ctx; locale: Locale }) {
  requireStaff(ctx.actor);
  const m = registerMessages[locale];
  const c = m.csv;
  const clients = await ctx.db.select().from(registerClients).orderBy(asc(registerClients.name));
  const created = creationDates(
    await ctx.db
      .select({ ownerId: registerClientHistory.clientId, version: registerClientHistory.version, snapshot: registerClientHistory.snapshot })
      .from(registerClientHistory),
  );
  const rows: (string | null)[][] = [[...c.clients]];
  let written = 0;
  for (const client of clients) {
    const record = await processorRecordOf(ctx.db, client);
    if (!record) continue;
    const p = record.processor;
    written++;
    rows.push([
      client.name,
      client.code,
      [oneLine(client.address), client.contactEmail].join("\n"),
      client.dpoContact,
      p.name,
      [oneLine(p.address), `${p.phone} — ${p.email}`].join("\n"),
      [p.dpo.name, oneLine(p.dpo.address), p.dpo.email].join("\n"),
      lines(record.categories, c.none),
      lines(record.operations.map((o) => o.code), c.none),
      lines(record.transfers.map((t) => m.transferLine(t)), c.noTransfers),
      lines(record.securityMeasures, c.none),
      parisDate(created.get(client.id) ?? client.updatedAt),
      parisDate(client.updatedAt),
    ]);
  }
  await audited(ctx, "clients", written);
  return { csv: fileOf(rows), filename: `${c.filenameClients}-${parisDate(ctx.now)}.csv`, rows: written };
}
