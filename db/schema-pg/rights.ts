import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { bytea } from "./bytea";
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
export const erasurePlans = pgTable(
  "erasure_plans",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    status: text("status").$type<ErasureStatus>().notNull(),
    plan: bytea("plan").notNull(),
    /** per connector: { delete, anonymize, retain } counts, shown without decrypting */
    summary: text("summary").$type<Record<string, { delete: number; anonymize: number; retain: number; files: number }>>().notNull(),
    preparedBy: integer("prepared_by").references(() => staff.id),
    preparedAt: bigint("prepared_at", { mode: "number" }).notNull(),
    approvedBy: integer("approved_by").references(() => staff.id),
    approvedAt: bigint("approved_at", { mode: "number" }),
    executedAt: bigint("executed_at", { mode: "number" }),
    verifiedAt: bigint("verified_at", { mode: "number" }),
    /** what re-querying found that should not be there (counts per connector), never values */
    verification: text("verification").$type<Record<string, unknown>>(),
    /** the erasure certificate (HTML), and its SHA-256, which the audit trail also records */
    certificate: bytea("certificate"),
    certificateSha256: text("certificate_sha256"),
    /** claimed by a running executor until then (a crashed one's lease expires); renewed while it runs */
    leaseUntil: bigint("lease_until", { mode: "number" }),
    /** how many times an executor claimed it: the fencing token every finishing write carries */
    attempts: integer("attempts").notNull().default(0),
  },
  (t) => [index("erasure_plans_request_idx").on(t.requestId), index("erasure_plans_status_idx").on(t.status)],
);
export type ErasurePlanRow = typeof erasurePlans.$inferSelect;

export const STEP_STATUSES = ["pending", "done", "failed"] as const;

/** The execution journal: one idempotent step per connector and record batch. */
export const erasureSteps = pgTable(
  "erasure_steps",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    planId: integer("plan_id").notNull().references(() => erasurePlans.id),
    connectorId: text("connector_id").notNull(),
    batch: integer("batch").notNull(),
    /** encrypted JSON: the plan's steps for this batch */
    payload: bytea("payload").notNull(),
    status: text("status").$type<(typeof STEP_STATUSES)[number]>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    done: integer("done"),
    retained: integer("retained"),
    /** scrubbed: never personal data */
    error: text("error"),
    finishedAt: bigint("finished_at", { mode: "number" }),
  },
  (t) => [uniqueIndex("erasure_steps_plan_batch_idx").on(t.planId, t.connectorId, t.batch)],
);
export type ErasureStepRow = typeof erasureSteps.$inferSelect;

export const RECTIFICATION_STATUSES = ["prepared", "approved", "applied", "failed", "cancelled"] as const;

/** A change set per ticket: field, current value, new value, per connector record (values encrypted). */
export const rectifications = pgTable(
  "rectifications",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    status: text("status").$type<(typeof RECTIFICATION_STATUSES)[number]>().notNull(),
    changes: bytea("changes").notNull(),
    preparedBy: integer("prepared_by").references(() => staff.id),
    preparedAt: bigint("prepared_at", { mode: "number" }).notNull(),
    approvedBy: integer("approved_by").references(() => staff.id),
    approvedAt: bigint("approved_at", { mode: "number" }),
    appliedAt: bigint("applied_at", { mode: "number" }),
    error: text("error"),
  },
  (t) => [index("rectifications_request_idx").on(t.requestId)],
);
export type RectificationRow = typeof rectifications.$inferSelect;

/** Art. 19: each recipient told of an erasure, rectification or restriction; sent through the outbox. */
export const recipientNotices = pgTable(
  "recipient_notices",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    kind: text("kind").$type<"erasure" | "rectification" | "restriction" | "restriction_lifted">().notNull(),
    /** the recipient as the register names it */
    recipient: text("recipient").notNull(),
    /** the register client told (null on notices sent before Art. 19 went per record) */
    clientCode: text("client_code"),
    /** the records the notice named, as it named them (system — dataset n° key): what that company was told about */
    records: text("records").$type<string[]>().notNull().default(sql`'[]'`),
    /** the operations (register codes) that made them a recipient */
    operations: text("operations").$type<string[]>().notNull(),
    outboxId: integer("outbox_id"),
    sentAt: bigint("sent_at", { mode: "number" }).notNull(),
    acknowledgedAt: bigint("acknowledged_at", { mode: "number" }),
    acknowledgedBy: integer("acknowledged_by").references(() => staff.id),
  },
  (t) => [index("recipient_notices_request_idx").on(t.requestId)],
);

/** Art. 18: where a restriction applies, per connector, and when it was lifted. */
export const restrictions = pgTable(
  "restrictions",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    connectorId: text("connector_id").notNull(),
    records: integer("records").notNull(),
    appliedBy: integer("applied_by").references(() => staff.id),
    appliedAt: bigint("applied_at", { mode: "number" }).notNull(),
    liftedBy: integer("lifted_by").references(() => staff.id),
    liftedAt: bigint("lifted_at", { mode: "number" }),
    /** scrubbed: why it could not be applied here */
    error: text("error"),
    /**
     * A system without restrict() (the CRM): the staff member who confirmed
     * they restricted the records there by hand, and when. Lifting such a row
     * is confirmed the same way, in liftedBy/liftedAt.
     */
    handConfirmedBy: integer("hand_confirmed_by").references(() => staff.id),
    handConfirmedAt: bigint("hand_confirmed_at", { mode: "number" }),
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
export const restrictionLifts = pgTable(
  "restriction_lifts",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    status: text("status").$type<LiftStatus>().notNull(),
    scheduledBy: integer("scheduled_by").references(() => staff.id),
    /** when the notice went to the person */
    scheduledAt: bigint("scheduled_at", { mode: "number" }).notNull(),
    /** not before: the end of the notice period stated in the notice */
    dueAt: bigint("due_at", { mode: "number" }).notNull(),
    stoppedBy: integer("stopped_by").references(() => staff.id),
    stoppedAt: bigint("stopped_at", { mode: "number" }),
    stopReason: text("stop_reason").$type<"objected" | "other">(),
    /** the systems RightsDesk unmarked (done or failed) */
    ranAt: bigint("ran_at", { mode: "number" }),
    /** every row lifted, hand ones confirmed, and the person and the recipients told */
    completedAt: bigint("completed_at", { mode: "number" }),
    leaseUntil: bigint("lease_until", { mode: "number" }),
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
export const suppressionList = pgTable(
  "suppression_list",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    kind: text("kind").$type<"phone" | "email">().notNull(),
    hash: text("hash").notNull(),
    requestId: integer("request_id").references(() => requests.id),
    addedAt: bigint("added_at", { mode: "number" }).notNull(),
    addedBy: integer("added_by").references(() => staff.id),
  },
  (t) => [uniqueIndex("suppression_list_kind_hash_idx").on(t.kind, t.hash)],
);
