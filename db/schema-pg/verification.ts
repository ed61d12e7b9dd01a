import { bigint, index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { requests } from "./requests";

/**
 * sms_code / email_code: a 6-digit code sent to that contact (so a code read
 * back proves that contact and no other); postal_code: one sent by letter.
 * subject_link: a link to a represented person's own contact.
 */
export const TOKEN_PURPOSES = ["email_link", "sms_code", "email_code", "postal_code", "status_link", "reply_link", "download_link", "subject_link"] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/**
 * Secrets sent to requesters. Only a keyed hash is stored, so a copy of the
 * database does not let anyone verify or follow someone else's request.
 */
export const verificationTokens = pgTable(
  "verification_tokens",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    purpose: text("purpose").$type<TokenPurpose>().notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: bigint("expires_at", { mode: "number" }).notNull(),
    usedAt: bigint("used_at", { mode: "number" }),
    attempts: integer("attempts").notNull().default(0),
    /** subject_link: the represented person's identifier this link proves (request_identifiers.id) */
    identifierId: integer("identifier_id"),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
  },
  (t) => [index("verification_tokens_request_idx").on(t.requestId, t.purpose)],
);
export type VerificationToken = typeof verificationTokens.$inferSelect;
