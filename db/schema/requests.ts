import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

import { RIGHTS, type Channel, type Locale, type Outcome, type Right, type Site, type Status, type VerificationMethod } from "./enums";

export * from "./enums";

/** A data-subject request (a "ticket" in the back office). */
export const requests = sqliteTable(
  "requests",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reference: text("reference").notNull().unique(),
    rights: text("rights", { mode: "json" }).$type<Right[]>().notNull(),
    channel: text("channel").$type<Channel>().notNull(),
    site: text("site").$type<Site>(),
    holidayProfile: text("holiday_profile").$type<"metropolitan" | "alsace-moselle">().notNull().default("metropolitan"),
    status: text("status").$type<Status>().notNull(),
    locale: text("locale").$type<Locale>().notNull(),
    lastName: text("last_name").notNull(),
    firstName: text("first_name").notNull(),
    email: text("email"),
    phone: text("phone"),
    onBehalf: integer("on_behalf", { mode: "boolean" }).notNull().default(false),
    subjectLastName: text("subject_last_name"),
    subjectFirstName: text("subject_first_name"),
    details: text("details"),
    rectificationWrong: text("rectification_wrong"),
    rectificationCorrect: text("rectification_correct"),
    contactConsent: integer("contact_consent", { mode: "boolean" }).notNull().default(false),
    /**
     * How identity was established: email link, SMS code, a code read back to
     * an agent ("agent"), a document shown in person, a call-back to a number
     * held on record, or a code sent by post (ADR 0011).
     */
    verificationMethod: text("verification_method").$type<VerificationMethod>().notNull(),
    /** When the email / phone given was proven to be the requester's (a link or code that reached it). */
    emailVerifiedAt: integer("email_verified_at", { mode: "timestamp_ms" }),
    phoneVerifiedAt: integer("phone_verified_at", { mode: "timestamp_ms" }),
    /** Postal requests: where letters go (lines), and its postcode, the search key with the name. */
    postalAddress: text("postal_address"),
    postcode: text("postcode"),
    postalVerifiedAt: integer("postal_verified_at", { mode: "timestamp_ms" }),
    /** How a closed request ended, when the status alone does not say it: no data held, no reply. */
    outcome: text("outcome").$type<Outcome>(),
    /** Representatives (CNIL recommendation 2021-070): what the mandate states, and its review. */
    mandateStatus: text("mandate_status").$type<"pending" | "accepted" | "rejected">(),
    mandateUntil: text("mandate_until"),
    mandateScope: text("mandate_scope"),
    mandateAnswerTo: text("mandate_answer_to").$type<"representative" | "subject">(),
    mandateReviewedBy: integer("mandate_reviewed_by"),
    mandateReviewedAt: integer("mandate_reviewed_at", { mode: "timestamp_ms" }),
    mandateRejection: text("mandate_rejection"),
    /** keyed hash of the normalised email / phone: rate limits and status look-ups without scanning PII */
    emailKey: text("email_key"),
    phoneKey: text("phone_key"),
    receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
    verifiedAt: integer("verified_at", { mode: "timestamp_ms" }),
    /** when the one reminder to confirm went (VERIFICATION_REMINDER_HOURS after filing); set once, compare-and-set */
    verificationRemindedAt: integer("verification_reminded_at", { mode: "timestamp_ms" }),
    extended: integer("extended", { mode: "boolean" }).notNull().default(false),
    /** ISO local dates (Europe/Paris) kept in step with the pauses by the service */
    dueOn: text("due_on"),
    extendedDueOn: text("extended_due_on"),
    /** the date the queue sorts on: extended when extended, else base */
    effectiveDueOn: text("effective_due_on"),
    closedAt: integer("closed_at", { mode: "timestamp_ms" }),
    /**
     * When the retention job removed the requester's identity, contacts, mandate,
     * letters' and messages' bodies (docs/retention.md): the row keeps the
     * reference, dates, outcome and the keyed hashes (emailKey, phoneKey) as proof.
     */
    identityPurgedAt: integer("identity_purged_at", { mode: "timestamp_ms" }),
    assigneeId: integer("assignee_id"),
    duplicateOfId: integer("duplicate_of_id"),
    /** staff who recorded a phone/mail/in-person request */
    recordedBy: integer("recorded_by"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("requests_status_due_idx").on(t.status, t.effectiveDueOn),
    index("requests_due_idx").on(t.effectiveDueOn),
    index("requests_site_status_due_idx").on(t.site, t.status, t.effectiveDueOn),
    index("requests_assignee_idx").on(t.assigneeId, t.effectiveDueOn),
    // "search by number": DSR-2026-000123 is found by typing 123
    index("requests_ref_number_idx").on(sql`substr(${t.reference}, -6)`),
    index("requests_email_key_idx").on(t.emailKey),
    index("requests_received_idx").on(t.receivedAt),
    // The queue's right filter: one partial index per right, so "site + right" reads only the matching rows.
    ...RIGHTS.map((right) => index(`requests_right_${right}_idx`).on(t.site, t.status, t.effectiveDueOn).where(sql.raw(`instr("rights", '"${right}"') > 0`))),
  ],
);
export type RequestRow = typeof requests.$inferSelect;

/**
 * How many requests each site holds in each status ('' is the web, no site).
 * Kept by triggers on `requests` (migration 0007), whoever writes: the queue
 * reads its counts here in a few rows instead of counting 100k index entries
 * on every page view. tests/request-counts.test.ts checks it against a GROUP BY.
 */
export const requestCounts = sqliteTable(
  "request_counts",
  {
    site: text("site").notNull(),
    status: text("status").$type<Status>().notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.site, t.status] })],
);

/** Timeline: everything that happened to a request, in plain events. */
export const requestEvents = sqliteTable(
  "request_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    type: text("type").notNull(),
    actor: text("actor").notNull(),
    /** minimal, never raw personal data */
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  },
  (t) => [index("request_events_request_idx").on(t.requestId, t.at)],
);
export type RequestEvent = typeof requestEvents.$inferSelect;

export const PAUSE_REASONS = ["identity_verification", "awaiting_requester"] as const;

/** Intervals during which the legal clock is stopped (décret 2019-536 art. 77). */
export const requestPauses = sqliteTable(
  "request_pauses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    reason: text("reason").$type<(typeof PAUSE_REASONS)[number]>().notNull(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    endedAt: integer("ended_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("request_pauses_request_idx").on(t.requestId)],
);
export type RequestPause = typeof requestPauses.$inferSelect;

/** Uploaded documents (representative's mandate), encrypted with AES-256-GCM. */
export const attachments = sqliteTable("attachments", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  requestId: integer("request_id").notNull().references(() => requests.id),
  kind: text("kind").$type<"mandate">().notNull(),
  mimeType: text("mime_type").notNull(),
  size: integer("size").notNull(),
  sha256: text("sha256").notNull(),
  ciphertext: blob("ciphertext", { mode: "buffer" }).notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

/** One row per year: DSR-<year>-<6-digit sequence>. */
export const referenceCounters = sqliteTable("reference_counters", {
  year: integer("year").primaryKey(),
  last: integer("last").notNull(),
});

/**
 * Identifiers searched for a request besides the requester's own proven
 * contacts: those given for a represented person (proven by a link sent to
 * them), and those found in a record that matched a proven identifier, once
 * a staff member confirmed them. Values are encrypted; `valueKey` is a keyed
 * hash of the normalised value, so the same identifier is held once.
 */
export const requestIdentifiers = sqliteTable(
  "request_identifiers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    kind: text("kind").$type<"email" | "phone">().notNull(),
    value: blob("value", { mode: "buffer" }).notNull(),
    valueKey: text("value_key").notNull(),
    origin: text("origin").$type<"subject" | "found">().notNull(),
    /** for found identifiers: where they were read */
    sourceConnector: text("source_connector"),
    sourceDataset: text("source_dataset"),
    status: text("status").$type<"pending" | "verified" | "confirmed" | "rejected">().notNull(),
    decidedBy: integer("decided_by"),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("request_identifiers_value_idx").on(t.requestId, t.kind, t.valueKey)],
);
export type RequestIdentifierRow = typeof requestIdentifiers.$inferSelect;

/**
 * Every decision sent to the person, as the letter they can read again on
 * their status page, print, or receive by post: refusal, extension, request
 * for information, no-data answer, completion… The HTML is encrypted; the
 * agent marks postal ones as posted.
 */
export const letters = sqliteTable(
  "letters",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    kind: text("kind").notNull(),
    subject: text("subject").notNull(),
    html: blob("html", { mode: "buffer" }).notNull(),
    sha256: text("sha256").notNull(),
    delivery: text("delivery").$type<"email" | "sms" | "post">().notNull(),
    outboxId: integer("outbox_id"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    postedAt: integer("posted_at", { mode: "timestamp_ms" }),
    postedBy: integer("posted_by"),
  },
  (t) => [index("letters_request_idx").on(t.requestId), index("letters_unposted_idx").on(t.delivery, t.postedAt)],
);
export type LetterRow = typeof letters.$inferSelect;

export const INFO_REASONS = ["identity", "scope"] as const;
export type InfoReason = (typeof INFO_REASONS)[number];

/**
 * A question put to the requester (Recital 63, Décret 2019-536 art. 77): the
 * clock stops only for a reason from the list, the person is reminded after
 * 15 days, and the request closes after INFO_REQUEST_CLOSE_DAYS unanswered.
 */
export const infoRequests = sqliteTable(
  "info_requests",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    reason: text("reason").$type<InfoReason>().notNull(),
    question: text("question").notNull(),
    askedBy: integer("asked_by"),
    askedAt: integer("asked_at", { mode: "timestamp_ms" }).notNull(),
    answeredAt: integer("answered_at", { mode: "timestamp_ms" }),
    remindedAt: integer("reminded_at", { mode: "timestamp_ms" }),
    closedAt: integer("closed_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("info_requests_request_idx").on(t.requestId), index("info_requests_open_idx").on(t.answeredAt, t.closedAt, t.askedAt)],
);
export type InfoRequestRow = typeof infoRequests.$inferSelect;

/** Staff notes on a request; visible in the back office only. */
export const requestNotes = sqliteTable(
  "request_notes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull().references(() => requests.id),
    staffId: integer("staff_id").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    body: text("body").notNull(),
  },
  (t) => [index("request_notes_request_idx").on(t.requestId)],
);
