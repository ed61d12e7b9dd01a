import { dateReadings } from "../../db/schema/gather";
import type { Registry } from "../connectors/registry";
import type { DbOrTx } from "../utils/db.server";
import * as audit from "./audit.server";
import { requireRole, requireStaff } from "./authz";
import type { Ctx } from "./context";
import { DomainError } from "./errors";
import { readGathered } from "./gather-store.server";
import { fieldToken } from "./rectification.server";
import { addEvent } from "./requests.server";
import { isClosed } from "./request-status";
import { loadTicket } from "./ticket-access.server";
import { withTx } from "../utils/db.server";

/**
 * Values a connector could not read, and dates whose day and month could be
 * swapped (the ComPlus inversion incident): staff see each one as stored
 * and, for a date, choose which reading is true. The choice is kept per
 * request, record and field, and applied by `readGathered` to every later
 * view and archive.
 */

export type AnomalyView = {
  /** the field's identity in a form: connector, dataset, record key, field (no personal value) */
  token: string;
  connectorId: string;
  connectorLabel: string;
  dataset: string;
  record: string;
  field: string;
  raw: string;
  expected: string;
  kind: "unreadable" | "ambiguous";
  /** ambiguous: each valid reading, ISO */
  readings: { format: string; value: string }[];
  chosen: { format: string; value: string; decidedAt: string } | null;
};

/** Every gathered anomaly with its readings and the one chosen. Personal data: read through tickets.auditedRead. */
export async function anomaliesFor(db: DbOrTx, requestId: number, registry: Pick<Registry, "get">): Promise<AnomalyView[]> {
  return (await readGathered(db, requestId)).anomalies.map((a) => ({
    token: fieldToken({ connectorId: a.connectorId, dataset: a.dataset, key: a.key, field: a.field }),
    connectorId: a.connectorId,
    connectorLabel: registry.get(a.connectorId)?.label ?? a.connectorId,
    dataset: a.dataset,
    record: a.key,
    field: a.field,
    raw: a.raw,
    expected: a.expected,
    kind: a.readings?.length ? "ambiguous" : "unreadable",
    readings: a.readings ?? [],
    chosen: a.resolved ?? null,
  }));
}

/**
 * Records which reading of an ambiguous date is true (DPO or support, on an
 * open ticket they can see). `token` names the anomaly as the ticket page's
 * form does; `format` must be one of that anomaly's readings. A second choice
 * replaces the first. The audit entry and the timeline name the dataset,
 * field and format, never the value.
 */
export async function chooseDateReading({ ctx, reference, token, format }: { ctx: Ctx; reference: string; token: string; format: string }) {
  const me = requireStaff(ctx.actor);
  return await withTx(ctx, async (tx) => {
    // Another site's ticket answers as a missing one does, before any role is checked.
    const r = await loadTicket(tx, me, reference);
    requireRole(me, "dpo", "support");
    if (isClosed(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "date_reading" });

    const anomaly = (await readGathered(tx, r.id)).anomalies.find(
      (a) => a.readings?.length && fieldToken({ connectorId: a.connectorId, dataset: a.dataset, key: a.key, field: a.field }) === token,
    );
    if (!anomaly) throw new DomainError("invalid_input", { code: "unknown_anomaly" });
    const reading = anomaly.readings!.find((x) => x.format === format);
    if (!reading) throw new DomainError("invalid_input", { code: "reading_not_offered" });

    const decision = { format: reading.format, value: reading.value, decidedBy: me.id, decidedAt: ctx.now };
    await tx.insert(dateReadings)
      .values({ requestId: r.id, connectorId: anomaly.connectorId, dataset: anomaly.dataset, itemKey: anomaly.key, field: anomaly.field, ...decision })
      .onConflictDoUpdate({ target: [dateReadings.requestId, dateReadings.connectorId, dateReadings.dataset, dateReadings.itemKey, dateReadings.field], set: decision });
    const details = { connectorId: anomaly.connectorId, dataset: anomaly.dataset, field: anomaly.field, format: reading.format };
    await addEvent(tx, r.id, ctx, "date_reading_chosen", details);
    await audit.append(tx, { actor: me, action: "record.date_read", reference: r.reference, details: { ...details, previous: anomaly.resolved?.format ?? null }, at: ctx.now });
  });
}
