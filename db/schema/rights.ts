import { blob, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { requests } from "./requests";
import { staff } from "./staff";

/**
 * Erasure (Art. 17), rectification (Art. 16), restriction (Art. 18),
 * objection (Art. 21) and the Art. 19 notifications that follow them.
 */

export const ERASURE_STATUSES = ["planned", "approved", "executing", "executed", "verified", "failed", "cancelled"] as const;
export type ErasureStatus = (typeof ERASURE_STATUSES)[number];

/**
 * One erasure plan per attempt: the dry run a DPO reads and approves. `plan`
 * holds connector match keys and actions (no personal values), encrypted all
 * the same: it says which systems hold the person.
 */
export const erasurePlans = sqliteTable(
  "erasure_plans",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    status: text("status").$type<ErasureStatus>().notNull(),
    plan: blob("plan", { mode: "buffer" }).notNull(),
    /** per connector: { delete, anonymize, retain } counts, shown without decrypting */
    summary: text("summary", { mode: "json" }).$type<Record<string, { delete: number; anonymize: number; retain: number; files: number }>>().notNull(),
    preparedBy: integer("prepared_by").references(() => staff.id),
    preparedAt: integer("prepared_at", { mode: "timestamp_ms" }).notNull(),
    approvedBy: integer("approved_by").references(() => staff.id),
    approvedAt: integer("approved_at", { mode: "timestamp_ms" }),
    executedAt: integer("executed_at", { mode: "timestamp_ms" }),
    verifiedAt: integer("verified_at", { mode: "timestamp_ms" }),
    /** what re-querying found that should not be there (counts per connector), never values */
    verification: text("verification", { mode: "json" }).$type<Record<string, unknown>>(),
    /** the erasure certificate (HTML), and its SHA-256, which the audit trail also records */
    certificate: blob("certificate", { mode: "buffer" }),
    certificateSha256: text("certificate_sha256"),
    /** claimed by a running executor until then (a crashed one's lease expires); renewed while it runs */
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    /** how many times an executor claimed it: the fencing token every finishing write carries */
    attempts: integer("attempts").notNull().default(0),
  },
  (t) => [index("erasure_plans_request_idx").on(t.requestId), index("erasure_plans_status_idx").on(t.status)],
);
export type ErasurePlanRow = typeof erasurePlans.$inferSelect;

export const STEP_STATUSES = ["pending", "done", "failed"] as const;

/** The execution journal: one idempotent step per connector and record batch. */
export const erasureSteps = sqliteTable(
  "erasure_steps",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    planId: integer("plan_id").notNull().references(() => erasurePlans.id),
    connectorId: text("connector_id").notNull(),
    batch: integer("batch").notNull(),
    /** encrypted JSON: the plan's steps for this batch */
    payload: blob("payload", { mode: "buffer" }).notNull(),
    status: text("status").$type<(typeof STEP_STATUSES)[number]>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    done: integer("done"),
    retained: integer("retained"),
    /** scrubbed: never personal data */
    error: text("error"),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("erasure_steps_plan_batch_idx").on(t.planId, t.connectorId, t.batch)],
);
export type ErasureStepRow = typeof erasureSteps.$inferSelect;

export const RECTIFICATION_STATUSES = ["prepared", "approved", "applied", "failed", "cancelled"] as const;

/** A change set per ticket: field, current value, new value, per connector record (values encrypted). */
export const rectifications = sqliteTable(
  "rectifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    status: text("status").$type<(typeof RECTIFICATION_STATUSES)[number]>().notNull(),
    changes: blob("changes", { mode: "buffer" }).notNull(),
    preparedBy: integer("prepared_by").references(() => staff.id),
    preparedAt: integer("prepared_at", { mode: "timestamp_ms" }).notNull(),
    approvedBy: integer("approved_by").references(() => staff.id),
    approvedAt: integer("approved_at", { mode: "timestamp_ms" }),
    appliedAt: integer("applied_at", { mode: "timestamp_ms" }),
    error: text("error"),
  },
  (t) => [index("rectifications_request_idx").on(t.requestId)],
);
export type RectificationRow = typeof rectifications.$inferSelect;

/** Art. 19: each recipient told of an erasure, rectification or restriction; sent through the outbox. */
export const recipientNotices = sqliteTable(
  "recipient_notices",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    kind: text("kind").$type<"erasure" | "rectification" | "restriction" | "restriction_lifted">().notNull(),
    /** the recipient as the register names it */
    recipient: text("recipient").notNull(),
    /** the register client told (null on notices sent before Art. 19 went per record) */
    clientCode: text("client_code"),
    /** the records the notice named, as it named them (system — dataset n° key): what that company was told about */
    records: text("records", { mode: "json" }).$type<string[]>().notNull().default([]),
    /** the operations (register codes) that made them a recipient */
    operations: text("operations", { mode: "json" }).$type<string[]>().notNull(),
    outboxId: integer("outbox_id"),
    sentAt: integer("sent_at", { mode: "timestamp_ms" }).notNull(),
    acknowledgedAt: integer("acknowledged_at", { mode: "timestamp_ms" }),
    acknowledgedBy: integer("acknowledged_by").references(() => staff.id),
  },
  (t) => [index("recipient_notices_request_idx").on(t.requestId)],
);

/** Art. 18: where a restriction applies, per connector, and when it was lifted. */
export const restrictions = sqliteTable(
  "restrictions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    connectorId: text("connector_id").notNull(),
    records: integer("records").notNull(),
    appliedBy: integer("applied_by").references(() => staff.id),
    appliedAt: integer("applied_at", { mode: "timestamp_ms" }).notNull(),
    liftedBy: integer("lifted_by").references(() => staff.id),
    liftedAt: integer("lifted_at", { mode: "timestamp_ms" }),
    /** scrubbed: why it could not be applied here */
    error: text("error"),
    /**
     * A system without restrict() (the CRM): the staff member who confirmed
     * they restricted the records there by hand, and when. Lifting such a row
     * is confirmed the same way, in liftedBy/liftedAt.
     */
    handConfirmedBy: integer("hand_confirmed_by").references(() => staff.id),
    handConfirmedAt: integer("hand_confirmed_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("restrictions_request_idx").on(t.requestId)],
);

export const LIFT_STATUSES = ["scheduled", "running", "done", "failed", "stopped"] as const;
export type LiftStatus = (typeof LIFT_STATUSES)[number];

/**
 * Art. 18(3): the lifting of a request's restriction, scheduled. The person
 * is told when it is scheduled; the workers lift it once `dueAt` has passed
 * (claimed by compare-and-set, the attempt fencing every finishing write,
 * ADR 0012), unless staff stopped it meanwhile (the person objected…).
 */
export const restrictionLifts = sqliteTable(
  "restriction_lifts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    status: text("status").$type<LiftStatus>().notNull(),
    scheduledBy: integer("scheduled_by").references(() => staff.id),
    /** when the notice went to the person */
    scheduledAt: integer("scheduled_at", { mode: "timestamp_ms" }).notNull(),
    /** not before: the end of the notice period stated in the notice */
    dueAt: integer("due_at", { mode: "timestamp_ms" }).notNull(),
    stoppedBy: integer("stopped_by").references(() => staff.id),
    stoppedAt: integer("stopped_at", { mode: "timestamp_ms" }),
    stopReason: text("stop_reason").$type<"objected" | "other">(),
    /** the systems RightsDesk unmarked (done or failed) */
    ranAt: integer("ran_at", { mode: "timestamp_ms" }),
    /** every row lifted, hand ones confirmed, and the person and the recipients told */
    completedAt: integer("completed_at", { mode: "timestamp_ms" }),
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    attempts: integer("attempts").notNull().default(0),
  },
  (t) => [index("restriction_lifts_request_idx").on(t.requestId), index("restriction_lifts_due_idx").on(t.status, t.dueAt)],
);
export type RestrictionLiftRow = typeof restrictionLifts.$inferSelect;

/**
 * Art. 21: the suppression list. Identifiers are stored only as keyed hashes
 * (HMAC-SHA256 with SUPPRESSION_HASH_KEY, a secret of its own), so the list
 * can be checked and exported without ever holding a number in clear.
 */
export const suppressionList = sqliteTable(
  "suppression_list",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind").$type<"phone" | "email">().notNull(),
    hash: text("hash").notNull(),
    requestId: integer("request_id").references(() => requests.id),
    addedAt: integer("added_at", { mode: "timestamp_ms" }).notNull(),
    addedBy: integer("added_by").references(() => staff.id),
  },
  (t) => [uniqueIndex("suppression_list_kind_hash_idx").on(t.kind, t.hash)],
);
