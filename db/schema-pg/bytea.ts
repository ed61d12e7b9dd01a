import { customType } from "drizzle-orm/pg-core";

/** Binary columns (encrypted payloads): SQLite's BLOB, PostgreSQL's bytea. */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });
