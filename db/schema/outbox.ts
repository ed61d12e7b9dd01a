import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Transactional outbox: a message owed to someone is written in the same
 * transaction as the change that owes it, and a sender loop delivers it with
 * retries. Nothing is lost when SMTP or the SMS gateway is down.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    channel: text("channel").$type<"email" | "sms">().notNull(),
    recipient: text("recipient").notNull(),
    template: text("template").notNull(),
    subject: text("subject"),
    text: text("text").notNull(),
    html: text("html"),
    requestId: integer("request_id"),
    /** "expired": a code that expired before it could be sent; never sent late (a notice replaces it) */
    status: text("status").$type<"pending" | "sent" | "expired">().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }).notNull(),
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    lastError: text("last_error"),
    transport: text("transport"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    sentAt: integer("sent_at", { mode: "timestamp_ms" }),
    /** a message carrying a code is worthless (and misleading) after the code's expiry */
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("outbox_due_idx").on(t.status, t.nextAttemptAt), index("outbox_request_idx").on(t.requestId)],
);
export type OutboxMessage = typeof outbox.$inferSelect;
