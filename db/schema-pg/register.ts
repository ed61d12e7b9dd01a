import { sql } from "drizzle-orm";
import { bigint, integer, pgTable, text } from "drizzle-orm/pg-core";

/** The Art. 30 record of processing activities; source of the Art. 15(1) information. */
export const processingOperations = pgTable("processing_operations", {
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  code: text("code").notNull().unique(),
  name: text("name").notNull(),
  purpose: text("purpose").notNull(),
  legalBasis: text("legal_basis").notNull(),
  dataCategories: text("data_categories").$type<string[]>().notNull(),
  personCategories: text("person_categories").$type<string[]>().notNull(),
  recipients: text("recipients").$type<string[]>().notNull(),
  source: text("source").notNull(),
  retention: text("retention").notNull(),
  retentionDays: integer("retention_days"),
  /** connector datasets holding this data, e.g. "sql-survey:respondents" */
  datasets: text("datasets").$type<string[]>().notNull(),
  /**
   * Art. 30(1)(a) and Art. 26/28: CentreCall's role in this operation. As a
   * processor it acts for `controllerClient` (a register_clients code) and
   * only on that client's instructions (Art. 28(3)(a), 29).
   */
  role: text("role", { enum: ["controller", "processor", "joint_controller"] }).notNull().default("controller"),
  controllerClient: text("controller_client"),
  /** Art. 26: the other controllers, named with their contact */
  jointControllers: text("joint_controllers").$type<string[]>().notNull().default(sql`'[]'`),
  /** Art. 28 processors CentreCall itself uses for this operation, named */
  processors: text("processors").$type<string[]>().notNull().default(sql`'[]'`),
  /** Art. 30(1)(e), 15(2): transfers outside the EU/EEA and their safeguards; [] = none */
  transfers: text("transfers").$type<Transfer[]>().notNull().default(sql`'[]'`),
  /** Art. 30(1)(g), 32: a general description of the security measures */
  securityMeasures: text("security_measures").$type<string[]>().notNull().default(sql`'[]'`),
  /** Art. 9/10 data processed and the condition relied on; null = none */
  sensitiveData: text("sensitive_data"),
  version: integer("version").notNull().default(1),
  updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
  updatedBy: integer("updated_by"),
});
export type ProcessingOperation = typeof processingOperations.$inferSelect;

/** A transfer outside the EU/EEA (Art. 44-49): to whom, where, on which safeguard (adequacy decision, SCCs, BCR…). */
export type Transfer = { recipient: string; country: string; safeguard: string };

/**
 * The companies CentreCall works for. Each is named on the records it
 * commissioned (a survey respondent's `survey_client`, a recording's survey
 * id: `aliases` are those values), which makes it the Art. 19 recipient of
 * exactly those records; and, where an operation names it as controller
 * (role "processor"), this row is CentreCall's Art. 30(2) record of the
 * processing carried out on its behalf.
 */
export const registerClients = pgTable("register_clients", {
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  code: text("code").notNull().unique(),
  name: text("name").notNull(),
  /** the values that name this client in the systems' records */
  aliases: text("aliases").$type<string[]>().notNull(),
  /** where rights requests and Art. 19 notices go */
  contactEmail: text("contact_email").notNull(),
  address: text("address").notNull(),
  /** the client's DPO or privacy contact, Art. 30(2)(a) */
  dpoContact: text("dpo_contact").notNull(),
  /** Art. 30(2)(b): categories of processing carried out on its behalf (besides the operations naming it) */
  processingCategories: text("processing_categories").$type<string[]>().notNull().default(sql`'[]'`),
  /** Art. 30(2)(c) */
  transfers: text("transfers").$type<Transfer[]>().notNull().default(sql`'[]'`),
  /** Art. 30(2)(d) */
  securityMeasures: text("security_measures").$type<string[]>().notNull().default(sql`'[]'`),
  version: integer("version").notNull().default(1),
  updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
  updatedBy: integer("updated_by"),
});
export type RegisterClient = typeof registerClients.$inferSelect;

export const processingOperationHistory = pgTable("processing_operation_history", {
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  operationId: integer("operation_id").notNull().references(() => processingOperations.id),
  version: integer("version").notNull(),
  snapshot: text("snapshot").$type<Record<string, unknown>>().notNull(),
  changedAt: bigint("changed_at", { mode: "number" }).notNull(),
  changedBy: integer("changed_by"),
});

/** The versions of a client's record that were replaced, like an operation's (Art. 30(2) records are versioned too). */
export const registerClientHistory = pgTable("register_client_history", {
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  clientId: integer("client_id").notNull().references(() => registerClients.id),
  version: integer("version").notNull(),
  snapshot: text("snapshot").$type<Record<string, unknown>>().notNull(),
  changedAt: bigint("changed_at", { mode: "number" }).notNull(),
  changedBy: integer("changed_by"),
});
