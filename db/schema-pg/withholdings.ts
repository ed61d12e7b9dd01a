import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { requests } from "./requests";

/** Why an item is kept out of the copy (Art. 15(4), Recital 63). */
export const WITHHOLDING_GROUNDS = ["others_rights", "trade_secret", "other"] as const;
export type WithholdingGround = (typeof WITHHOLDING_GROUNDS)[number];

export const WITHHOLDING_SCOPES = ["access", "portability", "both"] as const;
export type WithholdingScope = (typeof WITHHOLDING_SCOPES)[number];

export type WithholdingState = "pending" | "approved" | "rejected" | "withdrawn";

/**
 * One item of a gathered copy kept out of an archive (ADR 0016): a whole
 * record, one field of a record, or one file, named by what the gather
 * stores it under (connector, dataset, record key; field or file name), so
 * that a new search finding the same keys keeps it applying. Proposed by
 * support or the DPO, decided by the DPO, withdrawn before it is needed no
 * more; rows are never deleted (they are the proof of what was kept back and
 * why), only purged with the request's gathered data.
 */
export const archiveWithholdings = pgTable(
  "archive_withholdings",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    connectorId: text("connector_id").notNull(),
    dataset: text("dataset").notNull(),
    itemKey: text("item_key").notNull(),
    /** one field of the record; "" for the whole record or a file */
    field: text("field").notNull().default(""),
    /** a file of the record; "" for a record or a field */
    fileName: text("file_name").notNull().default(""),
    scope: text("scope").$type<WithholdingScope>().notNull(),
    ground: text("ground").$type<WithholdingGround>().notNull(),
    /** "other": the reason in words, told to the person in the letter */
    explanation: text("explanation"),
    /** for staff only, never in the letter */
    note: text("note").notNull().default(""),
    state: text("state").$type<WithholdingState>().notNull(),
    proposedBy: integer("proposed_by").notNull(),
    proposedAt: bigint("proposed_at", { mode: "number" }).notNull(),
    decidedBy: integer("decided_by"),
    decidedAt: bigint("decided_at", { mode: "number" }),
    withdrawnBy: integer("withdrawn_by"),
    withdrawnAt: bigint("withdrawn_at", { mode: "number" }),
  },
  (t) => [
    index("archive_withholdings_request_idx").on(t.requestId, t.state),
    // One live withholding per item: proposing the same item twice is a conflict, not a second row.
    uniqueIndex("archive_withholdings_live_idx")
      .on(t.requestId, t.connectorId, t.dataset, t.itemKey, t.field, t.fileName)
      .where(sql`${t.state} in ('pending', 'approved')`),
  ],
);
export type WithholdingRow = typeof archiveWithholdings.$inferSelect;
