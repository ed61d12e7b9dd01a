import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Fixed-window counters; keys are keyed hashes, never raw IPs or emails. */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start", { mode: "timestamp_ms" }).notNull(),
  count: integer("count").notNull(),
});
