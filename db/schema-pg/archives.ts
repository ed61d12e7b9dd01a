import { bigint, index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { requests } from "./requests";

/**
 * A released archive, encrypted at rest (AES-256-GCM, streamed), downloadable
 * by the requester until it expires, then purged.
 */
export const archives = pgTable(
  "archives",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    kind: text("kind").$type<"access" | "portability">().notNull(),
    status: text("status").$type<"ready" | "purged">().notNull(),
    filePath: text("file_path"),
    iv: text("iv").notNull(),
    tag: text("tag").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull(),
    /** SHA-256 of the archive's manifest.json, which lists every other entry's SHA-256 (ADR 0008) */
    sha256: text("sha256").notNull(),
    entries: integer("entries").notNull(),
    releasedBy: integer("released_by").notNull(),
    releasedAt: bigint("released_at", { mode: "number" }).notNull(),
    expiresAt: bigint("expires_at", { mode: "number" }).notNull(),
    downloads: integer("downloads").notNull().default(0),
    lastDownloadAt: bigint("last_download_at", { mode: "number" }),
    purgedAt: bigint("purged_at", { mode: "number" }),
    /** why it is gone: its link expired, the data were erased, or the data changed since (a new copy follows) */
    purgeReason: text("purge_reason").$type<"expired" | "erasure" | "data_changed">(),
  },
  (t) => [index("archives_request_idx").on(t.requestId), index("archives_expiry_idx").on(t.status, t.expiresAt)],
);
export type ArchiveRow = typeof archives.$inferSelect;
