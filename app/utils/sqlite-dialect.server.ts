import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { RIGHTS, type Right } from "../../db/schema/enums";

/**
 * The SQL that only SQLite understands, one name per operation, so that a
 * PostgreSQL twin can offer the same names with its own SQL. Services build
 * everything else with drizzle's portable operators; when they need one of
 * these, they import it from here rather than writing the function inline.
 *
 * Also SQLite-only, but left where they are:
 * - triggers, in committed migrations (generated SQL, never edited):
 *   - `audit_log_no_update`, `audit_log_no_delete` (0001_back_office.sql):
 *     BEFORE UPDATE / BEFORE DELETE on audit_log, RAISE(ABORT): the journal
 *     stays append-only whoever holds a connection;
 *   - `request_counts_insert`, `request_counts_delete`, `request_counts_update`
 *     (0007_request_counts.sql): keep request_counts (site or '' for the
 *     web, status → n) right on every insert, delete, or change of site or
 *     status of a request, whatever process writes; the queue reads its
 *     per-status counts there;
 * - the connection's pragmas (WAL, busy_timeout, …) and BEGIN IMMEDIATE, in
 *   db.server.ts.
 * - the expression and partial indexes of db/schema/requests.ts, which write
 *   `referenceNumber` and `rightsInclude` out again (the schema reaches the
 *   browser bundle, so it cannot import a server module): SQLite uses such an
 *   index only when the query writes the very same expression, and
 *   tests/sqlite-dialect.test.ts checks that it still does.
 */

/** The 6-digit number that ends a reference: "000123" for DSR-2026-000123. */
export function referenceNumber(reference: SQLWrapper): SQL {
  return sql`substr(${reference}, -6)`;
}

/** The reference ends with this number, typed without its leading zeros ("123"); requests_ref_number_idx serves it. */
export function referenceNumberEquals(reference: SQLWrapper, digits: string): SQL {
  return sql`${referenceNumber(reference)} = ${digits.padStart(6, "0")}`;
}

/**
 * The JSON array of rights (fixed words) holds this right: a quoted-token
 * search, exact and far cheaper than expanding the array. The word is written
 * into the SQL, not bound, so that the query matches the right's partial
 * index; only one of RIGHTS is ever written.
 */
export function rightsInclude(rights: SQLWrapper, right: Right): SQL {
  const word = RIGHTS.find((r) => r === right);
  if (!word) throw new Error(`not a right: ${String(right)}`);
  return sql`instr(${rights}, ${sql.raw(`'"${word}"'`)}) > 0`;
}

/** One row per element of a JSON array, the element read as `<alias>.value` (a table for FROM). */
export function jsonArrayElements(array: SQLWrapper, alias: string): SQL {
  if (!/^[a-z_]+$/.test(alias)) throw new Error(`not an alias: ${alias}`);
  return sql`json_each(${array}) AS ${sql.raw(alias)}`;
}

/** How many rows of the group meet the condition (0 for none): SQLite sums its 0/1 booleans. */
export function countWhere(condition: SQLWrapper): SQL {
  return sql`coalesce(sum(${condition}), 0)`;
}

/** The larger of two values (SQLite's two-argument max; NULL when either is NULL). */
export function greaterOf(a: SQLWrapper | number, b: SQLWrapper | number): SQL {
  return sql`max(${a}, ${b})`;
}

/** An ISO date ("YYYY-MM-DD") plus whole calendar months, clamped to the month's last day (31 Dec + 2 months = 28/29 Feb). */
export function addMonthsClamped(isoDate: SQLWrapper, months: number): SQL {
  if (!Number.isInteger(months)) throw new Error(`not a whole number of months: ${months}`);
  return sql`date(${isoDate}, ${sql.raw(`'${months < 0 ? "" : "+"}${months} months'`)}, 'floor')`;
}

const DAY_MS = 86_400_000;

/** Summer time in the EU: last Sunday of March 01:00 UTC → last Sunday of October 01:00 UTC. */
function summerTime(year: number): { start: number; end: number } {
  const lastSunday = (month: number) => {
    const last = Date.UTC(year, month + 1, 0);
    return last - new Date(last).getUTCDay() * DAY_MS;
  };
  return { start: lastSunday(2) + 3_600_000, end: lastSunday(9) + 3_600_000 };
}

/**
 * The Paris calendar date ("YYYY-MM-DD") of an epoch-ms column. SQLite has
 * no time zones, so the summer-time intervals of the years concerned are
 * written in as literals (a handful of integer comparisons per row, far
 * cheaper than date arithmetic). Rows outside `years` would get winter time:
 * callers filter the column to the period first.
 */
export function parisDateOf(epochMs: SQLWrapper, years: number[]): SQL {
  const cases = years.map((y) => {
    const { start, end } = summerTime(y);
    return sql`WHEN ${epochMs} >= ${sql.raw(String(start))} AND ${epochMs} < ${sql.raw(String(end))} THEN '+2 hours'`;
  });
  return sql`date(${epochMs} / 1000, 'unixepoch', CASE ${sql.join(cases, sql` `)} ELSE '+1 hour' END)`;
}
