import { bigint, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { bytea } from "./bytea";

/**
 * The PostgreSQL blob store (ADR 0021, app/utils/blob-store.server.ts): one
 * `blobs` row per blob, inserted last in the transaction that wrote its
 * chunks, so a blob without its row is never read and a crash leaves nothing.
 * Keys are relative ("gathered/12/3-1-1.bin"); bytes are opaque (the services
 * encrypt them before storing).
 */
export const blobs = pgTable("blobs", {
  key: text("key").primaryKey(),
  bytes: bigint("bytes", { mode: "number" }).notNull(),
  chunks: integer("chunks").notNull(),
  /** milliseconds since the epoch, as written by the process that stored it */
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
});

export const blobChunks = pgTable(
  "blob_chunks",
  {
    key: text("key").notNull(),
    n: integer("n").notNull(),
    data: bytea("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.n] })],
);
