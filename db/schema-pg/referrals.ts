import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { requests } from "./requests";
import { staff } from "./staff";

/**
 * What the client (the controller) may instruct CentreCall, its processor,
 * to do with the data it holds for it (Art. 28(3)(a), 29):
 * - answer: give the person a copy of that data with our answer (access, portability);
 * - erase, rectify, restrict: act on it as the request asks;
 * - controller_answers: the client answers the person itself; we do nothing with that data;
 * - refuse: the client refuses the request for that data, with its reason.
 */
export const INSTRUCTIONS = ["answer", "erase", "rectify", "restrict", "controller_answers", "refuse"] as const;
export type Instruction = (typeof INSTRUCTIONS)[number];

/** sent → acknowledged → instructed; "instructed" once at least one instruction is recorded. */
export const REFERRAL_STATUSES = ["sent", "acknowledged", "instructed"] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** A record the client holds, named by its own reference in its own system (never by our values). */
export type ReferredRecord = { connectorId: string; dataset: string; key: string };

export type RecordedInstruction = { kind: Instruction; note: string | null; by: number; at: number };

/**
 * A request forwarded to the controller for whom CentreCall holds the
 * person's data as a processor (register operations with role "processor"):
 * one per request and client, tracked until the client's instructions are
 * recorded; reminded every CONTROLLER_REMINDER_DAYS while none is.
 */
export const controllerReferrals = pgTable(
  "controller_referrals",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: integer("request_id").notNull().references(() => requests.id),
    /** a register_clients code */
    clientCode: text("client_code").notNull(),
    /** the register dataset ids concerned, e.g. "crm-http:contacts" */
    datasets: text("datasets").$type<string[]>().notNull(),
    /** the client's own record references */
    records: text("records").$type<ReferredRecord[]>().notNull(),
    status: text("status").$type<ReferralStatus>().notNull(),
    outboxId: integer("outbox_id"),
    sentAt: bigint("sent_at", { mode: "number" }).notNull(),
    acknowledgedAt: bigint("acknowledged_at", { mode: "number" }),
    acknowledgedBy: integer("acknowledged_by").references(() => staff.id),
    /** every instruction recorded, in order; what they allow is their union */
    instructions: text("instructions").$type<RecordedInstruction[]>().notNull().default(sql`'[]'`),
    instructedAt: bigint("instructed_at", { mode: "number" }),
    /** reminders sent; the sweep's compare-and-set is on this count, so two processes remind once */
    reminders: integer("reminders").notNull().default(0),
    lastRemindedAt: bigint("last_reminded_at", { mode: "number" }),
  },
  (t) => [uniqueIndex("controller_referrals_request_client_idx").on(t.requestId, t.clientCode), index("controller_referrals_status_idx").on(t.status, t.sentAt)],
);
export type ControllerReferral = typeof controllerReferrals.$inferSelect;
