import { is } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import * as sqliteSchema from "../schema";
import { derivedTables } from "./derived";

/**
 * The PostgreSQL schema (ADR 0020): db/schema's tables with PostgreSQL's
 * types (./derived.ts), under the same export names, and the blob store's
 * tables, which only PostgreSQL has (ADR 0021).
 */
const tables = derivedTables();
const byExportName = Object.fromEntries(
  Object.entries(sqliteSchema)
    .filter(([, t]) => is(t, SQLiteTable))
    .map(([name, t]) => [name, tables.get(getTableConfig(t as SQLiteTable).name)!]),
);

export const {
  archiveWithholdings,
  archives,
  attachments,
  auditLog,
  controllerReferrals,
  dateReadings,
  erasurePlans,
  erasureSteps,
  gatherJobs,
  gatheredItems,
  infoRequests,
  letters,
  litigationHolds,
  outbox,
  processingOperationHistory,
  processingOperations,
  rateLimits,
  recipientNotices,
  rectifications,
  referenceCounters,
  registerClientHistory,
  registerClients,
  requestCounts,
  requestEvents,
  requestIdentifiers,
  requestNotes,
  requestPauses,
  requests,
  restrictionLifts,
  restrictions,
  retentionRuns,
  sites,
  staff,
  staffSessions,
  suppressionList,
  verificationTokens,
} = byExportName;

export * from "./blobs";
