import { blob, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { requests } from "./requests";

export const JOB_STATUSES = ["queued", "running", "done", "failed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * One job per connector per gather: a durable queue polled by the worker loop.
 * A running job whose lease has expired (crashed process) is taken again.
 */
export const gatherJobs = sqliteTable(
  "gather_jobs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    connectorId: text("connector_id").notNull(),
    status: text("status").$type<JobStatus>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    queuedAt: integer("queued_at", { mode: "timestamp_ms" }).notNull(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    durationMs: integer("duration_ms"),
    matches: integer("matches"),
    records: integer("records"),
    files: integer("files"),
    anomalies: integer("anomalies"),
    /** scrubbed: never personal data */
    error: text("error"),
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
export const gatheredItems = sqliteTable(
  "gathered_items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    jobId: integer("job_id").notNull().references(() => gatherJobs.id),
    requestId: integer("request_id").notNull(),
    connectorId: text("connector_id").notNull(),
    kind: text("kind").$type<"match" | "record" | "file" | "anomaly">().notNull(),
    dataset: text("dataset").notNull(),
    itemKey: text("item_key").notNull(),
    payload: blob("payload", { mode: "buffer" }).notNull(),
    filePath: text("file_path"),
    size: integer("size"),
    sha256: text("sha256"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("gathered_items_request_idx").on(t.requestId, t.connectorId, t.kind), index("gathered_items_job_idx").on(t.jobId)],
);
export type GatheredItem = typeof gatheredItems.$inferSelect;
