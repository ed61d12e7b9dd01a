import { bigint, index, integer, pgTable, text } from "drizzle-orm/pg-core";

/**
 * Append-only audit trail. Each entry's hash is an HMAC over the previous
 * hash and the canonical entry, so a changed or deleted row breaks the chain.
 * Triggers in the migration refuse UPDATE and DELETE.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    at: bigint("at", { mode: "number" }).notNull(),
    actorKind: text("actor_kind").$type<"staff" | "requester" | "system">().notNull(),
    actorId: integer("actor_id"),
    action: text("action").notNull(),
    reference: text("reference"),
    details: text("details").$type<Record<string, unknown>>().notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [index("audit_log_reference_idx").on(t.reference), index("audit_log_action_idx").on(t.action, t.at)],
);
export type AuditRow = typeof auditLog.$inferSelect;
