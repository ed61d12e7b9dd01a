import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { RIGHTS, type Right } from "../../db/schema/enums";

/**
 * The SQL that differs between SQLite and PostgreSQL, one name per operation
 * (ADR 0020). Services build everything else with drizzle's portable
 * operators; when they need one of these, they import it from here rather
 * than writing the function inline. Each function returns both spellings;
 * the store's driver picks one as it renders the query (`renderingFor`).
 *
 * Also dialect-specific, but left where they are:
 * - triggers, in the committed migrations: SQLite's in db/migrations
 *   (`audit_log_no_update`, `audit_log_no_delete` in 0001_back_office.sql;
 *   `request_counts_insert/_delete/_update` in 0007_request_counts.sql),
 *   PostgreSQL's in db/migrations-pg/0001_triggers_and_sites.sql (the same
 *   names; the count rows are locked in a fixed order);
 * - the connection's pragmas (WAL, busy_timeout, …) and BEGIN IMMEDIATE, in
 *   db.server.ts; the pool, transactions and retries in store-postgres.server.ts;
 * - the expression and partial indexes of db/schema/requests.ts (respelt for
 *   PostgreSQL by db/schema-pg/derived.ts), which write `referenceNumber` and
 *   `rightsInclude` out again (the schema reaches the browser bundle, so it
 *   cannot import a server module): a database uses such an index only when
 *   the query writes the very same expression, and tests/sql-dialect.test.ts
 *   checks that it still does.
 */

type Dialect = "sqlite" | "pg";
const rendering: { dialect: Dialect } = ((globalThis as Record<symbol, unknown>)[Symbol.for("rightsdesk.sql-dialect")] ??= {
  dialect: "sqlite",
}) as never;

/** Renders queries for `dialect` while `fn` runs (drizzle renders synchronously). */
export function renderingFor<T>(dialect: Dialect, fn: () => T): T {
  const before = rendering.dialect;
  rendering.dialect = dialect;
  try {
    return fn();
  } finally {
    rendering.dialect = before;
  }
}

/** One operation, spelt for each database. */
function either(sqlite: SQL, pg: SQL): SQL {
  return sql`${{ getSQL: () => (rendering.dialect === "pg" ? pg : sqlite), shouldOmitSQLParens: () => true }}`;
}

/** The 6-digit number that ends a reference: "000123" for DSR-2026-000123. */
export function referenceNumber(reference: SQLWrapper): SQL {
  // PostgreSQL's substr with a negative start returns the whole string: right() it is.
  return either(sql`substr(${reference}, -6)`, sql`right(${reference}, 6)`);
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
  const quoted = sql.raw(`'"${word}"'`);
  return either(sql`instr(${rights}, ${quoted}) > 0`, sql`strpos(${rights}, ${quoted}) > 0`);
}

/** One row per element of a JSON array, the element read as `<alias>.value` (a table for FROM). */
export function jsonArrayElements(array: SQLWrapper, alias: string): SQL {
  if (!/^[a-z_]+$/.test(alias)) throw new Error(`not an alias: ${alias}`);
  return either(sql`json_each(${array}) AS ${sql.raw(alias)}`, sql`jsonb_array_elements_text(${array}::jsonb) AS ${sql.raw(alias)}(value)`);
}

/** How many rows of the group meet the condition (0 for none). */
export function countWhere(condition: SQLWrapper): SQL {
  return either(sql`coalesce(sum(${condition}), 0)`, sql`count(*) FILTER (WHERE ${condition})`);
}

/** The larger of two values (NULL when either is NULL, as SQLite's two-argument max). */
export function greaterOf(a: SQLWrapper | number, b: SQLWrapper | number): SQL {
  // PostgreSQL's greatest() ignores NULLs, and cannot type a bare parameter in "IS NULL": whole numbers go in as literals.
  const value = (x: SQLWrapper | number) => (typeof x === "number" && Number.isSafeInteger(x) ? sql.raw(String(x)) : x);
  return either(sql`max(${a}, ${b})`, sql`(CASE WHEN ${value(a)} IS NULL OR ${value(b)} IS NULL THEN NULL ELSE greatest(${value(a)}, ${value(b)}) END)`);
}

/** An ISO date ("YYYY-MM-DD") plus whole calendar months, clamped to the month's last day (31 Dec + 2 months = 28/29 Feb). */
export function addMonthsClamped(isoDate: SQLWrapper, months: number): SQL {
  if (!Number.isInteger(months)) throw new Error(`not a whole number of months: ${months}`);
  return either(
    sql`date(${isoDate}, ${sql.raw(`'${months < 0 ? "" : "+"}${months} months'`)}, 'floor')`,
    // PostgreSQL's date + interval clamps to the month's last day already
    sql`to_char(${isoDate}::date + ${sql.raw(`interval '${months} months'`)}, 'YYYY-MM-DD')`,
  );
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
  return either(
    sql`date(${epochMs} / 1000, 'unixepoch', CASE ${sql.join(cases, sql` `)} ELSE '+1 hour' END)`,
    // PostgreSQL knows the time zone: no literal intervals needed
    sql`to_char(to_timestamp(${epochMs} / 1000.0) AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD')`,
  );
}
