import { sql } from "drizzle-orm";
import { bytea } from "./bytea";
import { bigint, boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";

import { RIGHTS, type Channel, type Locale, type Outcome, type Right, type Site, type Status, type VerificationMethod } from "../schema/enums";


/** A data-subject request (a "ticket" in the back office). */
export const requests = pgTable(
  "requests",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    reference: text("reference").notNull().unique(),
    rights: text("rights").$type<Right[]>().notNull(),
    channel: text("channel").$type<Channel>().notNull(),
    site: text("site").$type<Site>(),
    holidayProfile: text("holiday_profile").$type<"metropolitan" | "alsace-moselle">().notNull().default("metropolitan"),
    status: text("status").$type<Status>().notNull(),
    locale: text("locale").$type<Locale>().notNull(),
    lastName: text("last_name").notNull(),
    firstName: text("first_name").notNull(),
    email: text("email"),
    phone: text("phone"),
    onBehalf: boolean("on_behalf").notNull().default(false),
    subjectLastName: text("subject_last_name"),
    subjectFirstName: text("subject_first_name"),
    details: text("details"),
    rectificationWrong: text("rectification_wrong"),
    rectificationCorrect: text("rectification_correct"),
    contactConsent: boolean("contact_consent").notNull().default(false),
    /**
     * How identity was established: email link, SMS code, a code read back to
     * an agent ("agent"), a document shown in person, a call-back to a number
     * held on record, or a code sent by post (ADR 0011).
     */
    verificationMethod: text("verification_method").$type<VerificationMethod>().notNull(),
    /** When the email / phone given was proven to be the requester's (a link or code that reached it). */
    emailVerifiedAt: bigint("email_verified_at", { mode: "number" }),
    phoneVerifiedAt: bigint("phone_verified_at", { mode: "number" }),
    /** Postal requests: where letters go (lines), and its postcode, the search key with the name. */
    postalAddress: text("postal_address"),
    postcode: text("postcode"),
    postalVerifiedAt: bigint("postal_verified_at", { mode: "number" }),
    /** How a closed request ended, when the status alone does not say it: no data held, no reply. */
    outcome: text("outcome").$type<Outcome>(),
    /** Representatives (CNIL recommendation 2021-070): what the mandate states, and its review. */
    mandateStatus: text("mandate_status").$type<"pending" | "accepted" | "rejected">(),
    mandateUntil: text("mandate_until"),
    mandateScope: text("mandate_scope"),
    mandateAnswerTo: text("mandate_answer_to").$type<"representative" | "subject">(),
    mandateReviewedBy: integer("mandate_reviewed_by"),
    mandateReviewedAt: bigint("mandate_reviewed_at", { mode: "number" }),
    mandateRejection: text("mandate_rejection"),
    /** keyed hash of the normalised email / phone: rate limits and status look-ups without scanning PII */
    emailKey: text("email_key"),
    phoneKey: text("phone_key"),
    receivedAt: bigint("received_at", { mode: "number" }).notNull(),
    verifiedAt: bigint("verified_at", { mode: "number" }),
    /** when the one reminder to confirm went (VERIFICATION_REMINDER_HOURS after filing); set once, compare-and-set */
    verificationRemindedAt: bigint("verification_reminded_at", { mode: "number" }),
    extended: boolean("extended").notNull().default(false),
    /** ISO local dates (Europe/Paris) kept in step with the pauses by the service */
    dueOn: text("due_on"),
    extendedDueOn: text("extended_due_on"),
    /** the date the queue sorts on: extended when extended, else base */
    effectiveDueOn: text("effective_due_on"),
    closedAt: bigint("closed_at", { mode: "number" }),
    /**
     * When the retention job removed the requester's identity, contacts, mandate,
     * letters' and messages' bodies (docs/retention.md): the row keeps the
     * reference, dates, outcome and the keyed hashes (emailKey, phoneKey) as proof.
     */
    identityPurgedAt: bigint("identity_purged_at", { mode: "number" }),
    assigneeId: integer("assignee_id"),
    duplicateOfId: integer("duplicate_of_id"),
    /** staff who recorded a phone/mail/in-person request */
    recordedBy: integer("recorded_by"),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [
    index("requests_status_due_idx").on(t.status, t.effectiveDueOn),
    index("requests_due_idx").on(t.effectiveDueOn),
    index("requests_site_status_due_idx").on(t.site, t.status, t.effectiveDueOn),
    index("requests_assignee_idx").on(t.assigneeId, t.effectiveDueOn),
    // "search by number": DSR-2026-000123 is found by typing 123
    index("requests_ref_number_idx").on(sql`right(${t.reference}, 6)`),
    index("requests_email_key_idx").on(t.emailKey),
    index("requests_received_idx").on(t.receivedAt),
    // The queue's right filter: one partial index per right, so "site + right" reads only the matching rows.
    ...RIGHTS.map((right) => index(`requests_right_${right}_idx`).on(t.site, t.status, t.effectiveDueOn).where(sql.raw(`strpos("rights", '"${right}"') > 0`))),
  ],
);
export type RequestRow = typeof requests.$inferSelect;

/**
 * How many requests each site holds in each status ('' is the web, no site).
 * Kept by triggers on `requests` (migration 0007), whoever writes: the queue
 * reads its counts here in a few rows instead of counting 100k index entries
 * on every page view. tests/request-counts.test.ts checks it against a GROUP BY.
 */
export const requestCounts = pgTable(
  "request_counts",
  {
    site: text("site").notNull(),
    status: text("status").$type<Status>().notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.site, t.status] })],
);

/** Timeline: everything that happened to a request, in plain events. */
export const requestEvents = pgTable(
  "request_events",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    at: bigint("at", { mode: "number" }).notNull(),
    type: text("type").notNull(),
    actor: text("actor").notNull(),
    /** minimal, never raw personal data */
    data: text("data").$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  },
  (t) => [index("request_events_request_idx").on(t.requestId, t.at)],
);
export type RequestEvent = typeof requestEvents.$inferSelect;

export const PAUSE_REASONS = ["identity_verification", "awaiting_requester"] as const;

/** Intervals during which the legal clock is stopped (décret 2019-536 art. 77). */
export const requestPauses = pgTable(
  "request_pauses",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    reason: text("reason").$type<(typeof PAUSE_REASONS)[number]>().notNull(),
    startedAt: bigint("started_at", { mode: "number" }).notNull(),
    endedAt: bigint("ended_at", { mode: "number" }),
  },
  (t) => [index("request_pauses_request_idx").on(t.requestId)],
);
export type RequestPause = typeof requestPauses.$inferSelect;

/** Uploaded documents (representative's mandate), encrypted with AES-256-GCM. */
export const attachments = pgTable("attachments", {
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  requestId: integer("request_id").notNull().references(() => requests.id),
  kind: text("kind").$type<"mandate">().notNull(),
  mimeType: text("mime_type").notNull(),
  size: bigint("size", { mode: "number" }).notNull(),
  sha256: text("sha256").notNull(),
  ciphertext: bytea("ciphertext").notNull(),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
});

/** One row per year: DSR-<year>-<6-digit sequence>. */
export const referenceCounters = pgTable("reference_counters", {
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
export const requestIdentifiers = pgTable(
  "request_identifiers",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    kind: text("kind").$type<"email" | "phone">().notNull(),
    value: bytea("value").notNull(),
    valueKey: text("value_key").notNull(),
    origin: text("origin").$type<"subject" | "found">().notNull(),
    /** for found identifiers: where they were read */
    sourceConnector: text("source_connector"),
    sourceDataset: text("source_dataset"),
    status: text("status").$type<"pending" | "verified" | "confirmed" | "rejected">().notNull(),
    decidedBy: integer("decided_by"),
    decidedAt: bigint("decided_at", { mode: "number" }),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
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
export const letters = pgTable(
  "letters",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    kind: text("kind").notNull(),
    subject: text("subject").notNull(),
    html: bytea("html").notNull(),
    sha256: text("sha256").notNull(),
    delivery: text("delivery").$type<"email" | "sms" | "post">().notNull(),
    outboxId: integer("outbox_id"),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    postedAt: bigint("posted_at", { mode: "number" }),
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
export const infoRequests = pgTable(
  "info_requests",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    reason: text("reason").$type<InfoReason>().notNull(),
    question: text("question").notNull(),
    askedBy: integer("asked_by"),
    askedAt: bigint("asked_at", { mode: "number" }).notNull(),
    answeredAt: bigint("answered_at", { mode: "number" }),
    remindedAt: bigint("reminded_at", { mode: "number" }),
    closedAt: bigint("closed_at", { mode: "number" }),
  },
  (t) => [index("info_requests_request_idx").on(t.requestId), index("info_requests_open_idx").on(t.answeredAt, t.closedAt, t.askedAt)],
);
export type InfoRequestRow = typeof infoRequests.$inferSelect;

/** Staff notes on a request; visible in the back office only. */
export const requestNotes = pgTable(
  "request_notes",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    staffId: integer("staff_id").notNull(),
    at: bigint("at", { mode: "number" }).notNull(),
    body: text("body").notNull(),
  },
  (t) => [index("request_notes_request_idx").on(t.requestId)],
);
