import { bigint, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { bytea } from "./bytea";
import { requests } from "./requests";

/** "skipped": not searched, because the ticket holds no identifier this system can be searched by. */
export const JOB_STATUSES = ["queued", "running", "done", "failed", "skipped"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * One job per connector per gather: a durable queue polled by the worker loop.
 * A running job whose lease has expired (crashed process) is taken again.
 */
export const gatherJobs = pgTable(
  "gather_jobs",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    connectorId: text("connector_id").notNull(),
    status: text("status").$type<JobStatus>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    leaseUntil: bigint("lease_until", { mode: "number" }),
    queuedAt: bigint("queued_at", { mode: "number" }).notNull(),
    startedAt: bigint("started_at", { mode: "number" }),
    finishedAt: bigint("finished_at", { mode: "number" }),
    durationMs: integer("duration_ms"),
    matches: integer("matches"),
    records: integer("records"),
    files: integer("files"),
    anomalies: integer("anomalies"),
    /** scrubbed: never personal data */
    error: text("error"),
    /** what it was searched with: kinds and where each came from, never values */
    identifiers: text("identifiers").$type<{ kind: string; origin: string }[]>(),
    /** "skipped": the identifier kinds it can be searched by, none of which the ticket holds */
    missing: text("missing").$type<string[]>(),
    /** a DPO's recorded reason to answer although this system was not searched or failed */
    waivedBy: integer("waived_by"),
    waivedAt: bigint("waived_at", { mode: "number" }),
    waiverReason: text("waiver_reason"),
  },
  (t) => [index("gather_jobs_status_idx").on(t.status, t.leaseUntil), index("gather_jobs_request_idx").on(t.requestId, t.connectorId)],
);
export type GatherJob = typeof gatherJobs.$inferSelect;

/**
 * What a gather found, encrypted at rest (AES-256-GCM, key derived from
 * APP_SECRET, the row's identity as associated data). Records and anomalies
 * are stored here; audio and other files are encrypted on disk and this row
 * holds their path, size, hash and tag.
 */
export const gatheredItems = pgTable(
  "gathered_items",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    jobId: integer("job_id").notNull().references(() => gatherJobs.id),
    requestId: integer("request_id").notNull(),
    connectorId: text("connector_id").notNull(),
    kind: text("kind").$type<"match" | "record" | "file" | "anomaly">().notNull(),
    dataset: text("dataset").notNull(),
    itemKey: text("item_key").notNull(),
    payload: bytea("payload").notNull(),
    filePath: text("file_path"),
    size: bigint("size", { mode: "number" }),
    sha256: text("sha256"),
    /** the job's attempt that wrote it: a worker that lost its job cannot add to the new owner's result */
    attempt: integer("attempt").notNull().default(0),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (t) => [index("gathered_items_request_idx").on(t.requestId, t.connectorId, t.kind), index("gathered_items_job_idx").on(t.jobId)],
);
export type GatheredItem = typeof gatheredItems.$inferSelect;

/**
 * A date whose day and month could be swapped, read as staff chose (the
 * ComPlus inversion incident): used in every later view and archive.
 */
export const dateReadings = pgTable(
  "date_readings",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    connectorId: text("connector_id").notNull(),
    dataset: text("dataset").notNull(),
    itemKey: text("item_key").notNull(),
    field: text("field").notNull(),
    /** the format staff chose, e.g. "dd/mm/yyyy" */
    format: text("format").notNull(),
    /** the ISO value it gives */
    value: text("value").notNull(),
    decidedBy: integer("decided_by").notNull(),
    decidedAt: bigint("decided_at", { mode: "number" }).notNull(),
  },
  (t) => [uniqueIndex("date_readings_field_idx").on(t.requestId, t.connectorId, t.dataset, t.itemKey, t.field)],
);
export type DateReadingRow = typeof dateReadings.$inferSelect;
