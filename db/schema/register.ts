import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The Art. 30 record of processing activities; source of the Art. 15(1) information. */
export const processingOperations = sqliteTable("processing_operations", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  code: text("code").notNull().unique(),
  name: text("name").notNull(),
  purpose: text("purpose").notNull(),
  legalBasis: text("legal_basis").notNull(),
  dataCategories: text("data_categories", { mode: "json" }).$type<string[]>().notNull(),
  personCategories: text("person_categories", { mode: "json" }).$type<string[]>().notNull(),
  recipients: text("recipients", { mode: "json" }).$type<string[]>().notNull(),
  source: text("source").notNull(),
  retention: text("retention").notNull(),
  retentionDays: integer("retention_days"),
  /** connector datasets holding this data, e.g. "sql-survey:respondents" */
  datasets: text("datasets", { mode: "json" }).$type<string[]>().notNull(),
  version: integer("version").notNull().default(1),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  updatedBy: integer("updated_by"),
});
export type ProcessingOperation = typeof processingOperations.$inferSelect;

export const processingOperationHistory = sqliteTable("processing_operation_history", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  operationId: integer("operation_id").notNull().references(() => processingOperations.id),
  version: integer("version").notNull(),
  snapshot: text("snapshot", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  changedAt: integer("changed_at", { mode: "timestamp_ms" }).notNull(),
  changedBy: integer("changed_by"),
});
