import { bigint, integer, pgTable, text } from "drizzle-orm/pg-core";

/** Fixed-window counters; keys are keyed hashes, never raw IPs or emails. */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: bigint("window_start", { mode: "number" }).notNull(),
  count: integer("count").notNull(),
});
