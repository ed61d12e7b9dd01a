import { randomBytes } from "node:crypto";
import path from "node:path";
import { buildIfStale } from "../scripts/build-if-stale";
import { dropRunDatabases, postgresUnavailable } from "./helpers/postgres";

/**
 * Integration tests drive the production build over HTTP: make sure it is
 * current. Each run marks the PostgreSQL databases it creates (TEST_RUN_ID,
 * inherited by the test workers) and drops them all at the end, even those
 * of a test that crashed.
 */
export default function setup() {
  buildIfStale(path.resolve(import.meta.dirname, ".."), { quiet: true });
  process.env.TEST_RUN_ID ??= randomBytes(3).toString("hex");
  return async () => {
    if ((await postgresUnavailable({ quiet: true })) === null) await dropRunDatabases();
  };
}
