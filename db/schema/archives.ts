import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { requests } from "./requests";

/**
 * A released archive, encrypted at rest (AES-256-GCM, streamed), downloadable
 * by the requester until it expires, then purged.
 */
export const archives = sqliteTable(
  "archives",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    kind: text("kind").$type<"access" | "portability">().notNull(),
    status: text("status").$type<"ready" | "purged">().notNull(),
    filePath: text("file_path"),
    iv: text("iv").notNull(),
    tag: text("tag").notNull(),
    bytes: integer("bytes").notNull(),
    /** SHA-256 of the archive's manifest.json, which lists every other entry's SHA-256 (ADR 0008) */
    sha256: text("sha256").notNull(),
    entries: integer("entries").notNull(),
    releasedBy: integer("released_by").notNull(),
    releasedAt: integer("released_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    downloads: integer("downloads").notNull().default(0),
    lastDownloadAt: integer("last_download_at", { mode: "timestamp_ms" }),
    purgedAt: integer("purged_at", { mode: "timestamp_ms" }),
    /** why it is gone: its link expired, the data were erased, or the data changed since (a new copy follows) */
    purgeReason: text("purge_reason").$type<"expired" | "erasure" | "data_changed">(),
  },
  (t) => [index("archives_request_idx").on(t.requestId), index("archives_expiry_idx").on(t.status, t.expiresAt)],
);
export type ArchiveRow = typeof archives.$inferSelect;
