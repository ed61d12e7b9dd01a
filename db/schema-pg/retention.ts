import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { requests } from "./requests";
import { staff } from "./staff";

/**
 * Retention (Art. 5(1)(e)): the daily purge and the litigation holds that
 * stop it for one recording (docs/retention.md).
 */

/**
 * A recording kept beyond the register's duration because a dispute needs it
 * (OP-01: "isolé et conservé jusqu'à sa clôture"). Set and lifted by the DPO,
 * with a reason; names the recording by its id in the recordings index, never
 * by anything heard in it.
 */
export const litigationHolds = pgTable(
  "litigation_holds",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    connectorId: text("connector_id").notNull(),
    /** the recording's id in the connector's index (e.g. rec-000042) */
    itemKey: text("item_key").notNull(),
    /** the ticket it was set from, when it was */
    requestId: integer("request_id").references(() => requests.id),
    reason: text("reason").notNull(),
    setBy: integer("set_by")
      .notNull()
      .references(() => staff.id),
    setAt: bigint("set_at", { mode: "number" }).notNull(),
    liftedBy: integer("lifted_by").references(() => staff.id),
    liftedAt: bigint("lifted_at", { mode: "number" }),
    liftReason: text("lift_reason"),
  },
  (t) => [index("litigation_holds_item_idx").on(t.connectorId, t.itemKey, t.liftedAt)],
);
export type LitigationHoldRow = typeof litigationHolds.$inferSelect;

/**
 * One row per retention run. At most one runs at a time (the partial unique
 * index is the lock: a second claim fails to insert); a run whose process
 * died is taken over once its lease has passed. The workers run the job once
 * a day: a finished run dated today (Paris) means there is nothing to do.
 */
export const retentionRuns = pgTable(
  "retention_runs",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    trigger: text("trigger").$type<"worker" | "cli">().notNull(),
    status: text("status").$type<"running" | "done" | "failed" | "abandoned">().notNull(),
    startedAt: bigint("started_at", { mode: "number" }).notNull(),
    leaseUntil: bigint("lease_until", { mode: "number" }).notNull(),
    finishedAt: bigint("finished_at", { mode: "number" }),
    /** counts per category, never values */
    counts: text("counts").$type<Record<string, Record<string, number>>>(),
    /** scrubbed: the error's name only */
    error: text("error"),
  },
  (t) => [uniqueIndex("retention_runs_one_running_idx").on(t.status).where(sql`status = 'running'`), index("retention_runs_started_idx").on(t.status, t.startedAt)],
);
export type RetentionRunRow = typeof retentionRuns.$inferSelect;
