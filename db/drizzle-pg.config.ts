import { defineConfig } from "drizzle-kit";

/** The PostgreSQL twin of db/drizzle.config.ts (ADR 0020): same tables, PostgreSQL types, its own migrations. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema-pg/index.ts",
  out: "./db/migrations-pg",
});
