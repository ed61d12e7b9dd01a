import { bigint, index, integer, pgTable, text } from "drizzle-orm/pg-core";

/**
 * Transactional outbox: a message owed to someone is written in the same
 * transaction as the change that owes it, and a sender loop delivers it with
 * retries. Nothing is lost when SMTP or the SMS gateway is down.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
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
    nextAttemptAt: bigint("next_attempt_at", { mode: "number" }).notNull(),
    leaseUntil: bigint("lease_until", { mode: "number" }),
    lastError: text("last_error"),
    transport: text("transport"),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    sentAt: bigint("sent_at", { mode: "number" }),
    /** a message carrying a code is worthless (and misleading) after the code's expiry */
    expiresAt: bigint("expires_at", { mode: "number" }),
  },
  (t) => [index("outbox_due_idx").on(t.status, t.nextAttemptAt), index("outbox_request_idx").on(t.requestId)],
);
export type OutboxMessage = typeof outbox.$inferSelect;
