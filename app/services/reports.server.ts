import { count, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { CHANNELS, RIGHTS, SITES, type Channel, type Locale, type Right, type Site, type Status } from "../../db/schema/enums";
import { requests } from "../../db/schema/requests";
import { adminCatalogues } from "../i18n/admin";
import { reportsMessages } from "../i18n/admin/reports";
import * as audit from "./audit.server";
import { requireRole } from "./authz";
import type { Ctx } from "./context";
import { parisDate, type LocalDate } from "./deadlines";
import { dueWhere } from "./due-state";
import { DomainError } from "./errors";
import { parisLocalToInstant } from "../utils/paris-time";
import { csvText } from "../utils/csv";
import { addMonthsClamped, countWhere, jsonArrayElements, parisDateOf } from "../utils/sql-dialect.server";
import { rawAll, first, withTx } from "../utils/db.server";

/**
 * The DPO's monthly figures. Everything is aggregated inside SQLite (GROUP BY,
 * json_each, an ORDER BY … LIMIT for the median): the page stays fast with
 * 100k requests because no request row ever reaches JavaScript.
 *
 * Which requests count:
 * - "received": requests whose identity is established. Unverified filings
 *   (awaiting_verification, expired_unverified) are left out, as they never
 *   became requests the controller had to answer.
 * - "closed": completed, refused, cancelled and duplicate, by the Paris month
 *   of closedAt. expired_unverified is not a closure of a verified request.
 */
const CLOSED: Status[] = ["completed", "refused", "cancelled", "duplicate"];
const UNVERIFIED: Status[] = ["awaiting_verification", "expired_unverified"];
const MAX_MONTHS = 36;
const DAY_MS = 86_400_000;

/** Years 1900–2999, as the deadline engine accepts. */
const ReportMonth = z.string().regex(/^(19|2\d)\d{2}-(0[1-9]|1[0-2])$/);

export type Count<K extends string> = { key: K; count: number };
export type MonthRow = { month: string; received: number; closed: number; closedWithinOneMonth: number };

export type MonthlyReport = {
  from: string;
  to: string;
  /** the Paris date "overdue" is measured against */
  today: LocalDate;
  months: MonthRow[];
  byRight: Count<Right>[];
  byChannel: Count<Channel>[];
  bySite: Count<Site | "web">[];
  received: number;
  /** closed in the period (completed, refused, cancelled, duplicate) */
  closed: number;
  /** closed in the period with a known deadline: the denominator of both shares */
  closedWithDeadline: number;
  closedWithinOneMonth: number;
  closedWithinThreeMonths: number;
  /** 0..1, null when nothing closed */
  shareWithinOneMonth: number | null;
  shareWithinThreeMonths: number | null;
  /** days, one decimal; null when nothing closed */
  medianDaysToClose: number | null;
  /** open now with a due date before today (Paris) */
  overdue: number;
};

function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}

function monthIndex(month: string): number {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return y * 12 + m - 1;
}

/** First instant of a Paris month (midnight always exists in Paris: DST switches at 02:00/03:00). */
function monthStart(month: string): Date {
  return parisLocalToInstant(`${month}-01T00:00`)!;
}

/**
 * The Paris month of an epoch-ms column already filtered to the period: a
 * CASE over the months' first instants (computed exactly in JavaScript), far
 * cheaper per row than date arithmetic.
 */
function monthOf(column: SQL, p: { months: string[]; bounds: number[] }): SQL {
  const last = p.months.at(-1)!;
  if (p.months.length === 1) return sql.raw(`'${last}'`);
  const cases = p.bounds.map((b, i) => sql`WHEN ${column} < ${sql.raw(String(b))} THEN ${sql.raw(`'${p.months[i]}'`)}`);
  return sql`CASE ${sql.join(cases, sql` `)} ELSE ${sql.raw(`'${last}'`)} END`;
}

const list = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/** Untrusted input (URL, CLI): "YYYY-MM" or nothing; anything else is invalid_input, never a guess. */
function resolvePeriod(now: Date, input: { from?: string; to?: string }) {
  const given = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);
  const [fromIn, toIn] = [given(input.from), given(input.to)];
  for (const v of [fromIn, toIn]) if (v !== undefined && !ReportMonth.safeParse(v).success) throw new DomainError("invalid_input", { field: "period" });
  const current = parisDate(now).slice(0, 7);
  const to = toIn ?? (fromIn ? shiftMonth(fromIn, 11) : current);
  const from = fromIn ?? shiftMonth(to, -11);
  const span = monthIndex(to) - monthIndex(from) + 1;
  if (span < 1 || span > MAX_MONTHS) throw new DomainError("invalid_input", { field: "period" });
  const months = Array.from({ length: span }, (_, i) => shiftMonth(from, i));
  const years = [...new Set(months.map((m) => Number(m.slice(0, 4))))];
  // bounds[i]: first instant of months[i + 1]
  const bounds = months.slice(1).map((m) => monthStart(m).getTime());
  return { from, to, months, years, bounds, start: monthStart(from).getTime(), end: monthStart(shiftMonth(to, 1)).getTime() };
}

/**
 * Figures for the months `from`..`to` ("YYYY-MM", Paris, inclusive); by
 * default the twelve months up to the current one. Roles are checked before
 * the input, so an agent learns nothing from a malformed period.
 */
export async function monthlyReport({ ctx, from, to }: { ctx: Ctx; from?: string; to?: string }): Promise<MonthlyReport> {
  requireRole(ctx.actor, "dpo", "admin", "support");
  const p = resolvePeriod(ctx.now, { from, to });
  const db = ctx.db;
  const r = requests;
  const receivedIn = sql`${r.receivedAt} >= ${p.start} AND ${r.receivedAt} < ${p.end} AND ${r.status} NOT IN (${list(UNVERIFIED)})`;
  const closedIn = sql`${r.closedAt} >= ${p.start} AND ${r.closedAt} < ${p.end} AND ${r.status} IN (${list(CLOSED)})`;

  /*
   * Received, in one pass: rows are first grouped by (month, channel, site,
   * rights) — a few hundred groups however many requests — and the four
   * breakdowns are summed from those groups. json_each then expands each
   * group's rights array, so a request asking for two rights counts once
   * for each.
   */
  const received = await rawAll<{ dim: "month" | "channel" | "site" | "right"; k: string; n: number }>(db, sql`
    WITH g AS MATERIALIZED (
      SELECT ${monthOf(sql`${r.receivedAt}`, p)} AS month, ${r.channel} AS channel, coalesce(${r.site}, 'web') AS site, ${r.rights} AS rights, count(*) AS n
      FROM ${r} WHERE ${receivedIn} GROUP BY 1, 2, 3, 4)
    SELECT 'month' AS dim, month AS k, sum(n) AS n FROM g GROUP BY month
    UNION ALL SELECT 'channel', channel, sum(n) FROM g GROUP BY channel
    UNION ALL SELECT 'site', site, sum(n) FROM g GROUP BY site
    UNION ALL SELECT 'right', j.value, sum(n) FROM g, ${jsonArrayElements(sql`g.rights`, "j")} GROUP BY j.value`);

  /*
   * Closed, in one pass. "In time" is judged day by day in Paris: closed on or
   * before the deadline date.
   * - within one month: on or before dueOn, the base deadline (pauses included,
   *   rolled to a working day), whether or not the request was extended later;
   * - within three months: on or before extendedDueOn when the request was
   *   extended; otherwise dueOn + 2 calendar months, clamped to the month's
   *   last day ('floor': 31 Dec + 2 months = 28/29 Feb, as Regulation 1182/71
   *   counts months). For a request never extended this mark is a reporting
   *   threshold, not a legal deadline, so it is taken from the stored (rolled)
   *   dueOn and not rolled again.
   * Requests without a dueOn (none should be closed that way) count in neither
   * the numerator nor the denominator of the shares.
   * The median is read in the same statement: SQLite sorts the durations and
   * returns the middle one (odd count) or the mean of the middle two (even).
   */
  const closed = await rawAll<{ month: string | null; n: number; withDeadline: number; inOne: number; inThree: number; median: number | null }>(db, sql`
    WITH c AS MATERIALIZED (
      SELECT ${monthOf(sql`${r.closedAt}`, p)} AS month, ${parisDateOf(r.closedAt, p.years)} AS closed_on,
             ${r.dueOn} AS due_on, ${r.extendedDueOn} AS extended_due_on, ${r.closedAt} - ${r.receivedAt} AS d
      FROM ${r} WHERE ${closedIn}),
    total AS (SELECT count(*) AS n FROM c)
    SELECT month, count(*) AS n, count(due_on) AS "withDeadline",
           ${countWhere(sql`closed_on <= due_on`)} AS "inOne",
           ${countWhere(sql`closed_on <= coalesce(extended_due_on, ${addMonthsClamped(sql`due_on`, 2)})`)} AS "inThree",
           NULL AS median
    FROM c GROUP BY month
    UNION ALL
    SELECT NULL, 0, 0, 0, 0, (SELECT avg(d) FROM (SELECT d FROM c ORDER BY d LIMIT 2 - (SELECT n FROM total) % 2 OFFSET ((SELECT n FROM total) - 1) / 2) AS middle)`);
  const closedByMonth = closed.filter((c) => c.month !== null);
  const medianMs = closed.find((c) => c.month === null)?.median ?? null;
  const medianDaysToClose = medianMs === null ? null : Math.round((medianMs / DAY_MS) * 10) / 10;

  const today = parisDate(ctx.now);
  // Served by the (status, effective_due_on) index.
  // As in the queue and the digest (due-state.ts): a paused ticket has its clock stopped, so it is not overdue.
  const overdue = (await first(db.select({ n: count() }).from(r).where(dueWhere("overdue", today))))!.n;

  const totals = closedByMonth.reduce(
    (t, m) => ({ n: t.n + m.n, withDeadline: t.withDeadline + m.withDeadline, inOne: t.inOne + m.inOne, inThree: t.inThree + m.inThree }),
    { n: 0, withDeadline: 0, inOne: 0, inThree: 0 },
  );
  const counts = (dim: string) => new Map(received.filter((x) => x.dim === dim).map((x) => [x.k, x.n]));
  const receivedMap = counts("month");
  const closedMap = new Map(closedByMonth.map((m) => [m.month, m]));
  const zeroFill = <K extends string>(keys: readonly K[], found: Map<string, number>): Count<K>[] => keys.map((key) => ({ key, count: found.get(key) ?? 0 }));
  const share = (n: number) => (totals.withDeadline ? n / totals.withDeadline : null);
  return {
    from: p.from,
    to: p.to,
    today,
    months: p.months.map((month) => ({
      month,
      received: receivedMap.get(month) ?? 0,
      closed: closedMap.get(month)?.n ?? 0,
      closedWithinOneMonth: closedMap.get(month)?.inOne ?? 0,
    })),
    byRight: zeroFill(RIGHTS, counts("right")),
    byChannel: zeroFill(CHANNELS, counts("channel")),
    bySite: zeroFill([...SITES, "web"] as const, counts("site")),
    received: [...receivedMap.values()].reduce((sum, n) => sum + n, 0),
    closed: totals.n,
    closedWithDeadline: totals.withDeadline,
    closedWithinOneMonth: totals.inOne,
    closedWithinThreeMonths: totals.inThree,
    shareWithinOneMonth: share(totals.inOne),
    shareWithinThreeMonths: share(totals.inThree),
    medianDaysToClose,
    overdue,
  };
}

// ---- CSV (RFC 4180: comma, CRLF, quotes doubled) ----

export const CSV_HEADER = ["section", "key", "label", "measure", "value"] as const;

/**
 * One tidy table: each row is one number, named by section and key, with a
 * label in the reader's language. Shares are fractions (0.75), days have one
 * decimal, with a dot whatever the language so that tools read them alike.
 */
export function reportCsv(report: MonthlyReport, locale: Locale): string {
  const a = adminCatalogues[locale];
  const m = reportsMessages[locale];
  const rows: (string | number | null)[][] = [[...CSV_HEADER]];
  rows.push(["period", "from", m.csv.from, "month", report.from], ["period", "to", m.csv.to, "month", report.to]);
  for (const mo of report.months) {
    const label = m.monthLabel(mo.month);
    rows.push(["month", mo.month, label, "received", mo.received], ["month", mo.month, label, "closed", mo.closed], ["month", mo.month, label, "closed_within_one_month", mo.closedWithinOneMonth]);
  }
  for (const x of report.byRight) rows.push(["right", x.key, a.rights[x.key], "received", x.count]);
  for (const x of report.byChannel) rows.push(["channel", x.key, a.channels[x.key], "received", x.count]);
  for (const x of report.bySite) rows.push(["site", x.key, a.sites[x.key], "received", x.count]);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);
  rows.push(
    ["summary", "received", m.csv.received, "count", report.received],
    ["summary", "closed", m.csv.closed, "count", report.closed],
    ["summary", "closed_within_one_month", m.withinOneMonth, "count", report.closedWithinOneMonth],
    ["summary", "closed_within_one_month", m.withinOneMonth, "share", round(report.shareWithinOneMonth)],
    ["summary", "closed_within_three_months", m.withinThreeMonths, "count", report.closedWithinThreeMonths],
    ["summary", "closed_within_three_months", m.withinThreeMonths, "share", round(report.shareWithinThreeMonths)],
    ["summary", "median_days_to_close", m.median, "days", report.medianDaysToClose],
    ["summary", "overdue", m.overdue, "count", report.overdue],
    ["summary", "overdue", m.csv.asOf, "date", report.today],
  );
  // A BOM so that spreadsheet software opens the UTF-8 accents correctly.
  return `\uFEFF${rows.map((row) => row.map((v) => csvText(v)).join(",")).join("\r\n")}\r\n`;
}

/** The CSV download: the same figures, and an audit entry saying who took them out. */
export async function exportReportCsv({ ctx, from, to, locale }: { ctx: Ctx; from?: string; to?: string; locale: Locale }) {
  const report = await monthlyReport({ ctx, from, to });
  const csv = reportCsv(report, locale);
  await withTx(ctx, async (tx) =>
    await audit.append(tx, { actor: ctx.actor, action: "report.exported", details: { from: report.from, to: report.to, format: "csv" }, at: ctx.now }),
  );
  return { csv, filename: `rapport-rgpd-${report.from}-${report.to}.csv` };
}
