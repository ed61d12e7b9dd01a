import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { Form, useLoaderData } from "@remix-run/react";
import { LocalDate } from "../components/admin-bits";
import { useLocale, useT } from "../components/i18n";
import { reportsMessages, type ReportsMessages } from "../i18n/admin/reports";
import { formatNumber } from "../i18n/format";
import { DomainError, httpStatusOf } from "../services/errors";
import { monthlyReport, type MonthlyReport } from "../services/reports.server";
import { requireStaff, rethrowDomain } from "../utils/staff-session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = requireStaff(request);
  const url = new URL(request.url);
  const query = { from: url.searchParams.get("from") ?? "", to: url.searchParams.get("to") ?? "" };
  try {
    return { report: monthlyReport({ ctx, ...query }), query, invalid: false };
  } catch (error) {
    if (error instanceof DomainError && error.code === "invalid_input") {
      return data({ report: null, query, invalid: true }, { status: httpStatusOf(error.code) });
    }
    rethrowDomain(error);
  }
}

export default function Reports() {
  const locale = useLocale();
  const m = reportsMessages[locale];
  const { report, query, invalid } = useLoaderData<typeof loader>();
  const csvQuery = report ? `?${new URLSearchParams({ from: report.from, to: report.to })}` : "";
  return (
    <>
      <h1>{m.title}</h1>
      <p>{m.intro}</p>
      <Form method="get" className="filters" aria-labelledby="period-title">
        <h2 id="period-title" className="visually-hidden">
          {m.period}
        </h2>
        <div className="field">
          <label htmlFor="r-from">{m.from}</label>
          <input id="r-from" name="from" type="month" defaultValue={report?.from ?? query.from} aria-describedby="r-hint" />
        </div>
        <div className="field">
          <label htmlFor="r-to">{m.to}</label>
          <input id="r-to" name="to" type="month" defaultValue={report?.to ?? query.to} aria-describedby="r-hint" />
        </div>
        <button type="submit" className="button secondary">
          {m.apply}
        </button>
        <p id="r-hint" className="hint">
          {m.monthHint}
        </p>
      </Form>
      {invalid || !report ? (
        <p className="error-box" role="alert">
          {m.invalidPeriod}
        </p>
      ) : (
        <ReportBody report={report} m={m} csvHref={`/admin/rapports/csv${csvQuery}`} />
      )}
    </>
  );
}

function ReportBody({ report, m, csvHref }: { report: MonthlyReport; m: ReportsMessages; csvHref: string }) {
  const t = useT();
  const adminT = useAdminT();
  const a = adminT;
  const percent = new Intl.NumberFormat(t.dateLocale, { style: "percent", maximumFractionDigits: 1 });
  const share = (value: number | null, n: number) =>
    value === null ? (
      m.none
    ) : (
      <>
        <strong>{percent.format(value)}</strong>
        {` (${m.outOf(n, report.closedWithDeadline)})`}
      </>
    );
  return (
    <>
      <p>
        <strong>{m.periodLabel(report.from, report.to)}</strong>
      </p>
      <p>
        {/* a plain link: a file download, not a page the router should render */}
        <a href={csvHref} className="button" download>
          {m.download}
        </a>{" "}
        <span className="hint">{m.downloadHint}</span>
      </p>

      <section className="panel" aria-labelledby="key-figures">
        <h2 id="key-figures">{m.keyFigures}</h2>
        <dl className="summary">
          <dt>{m.withinOneMonth}</dt>
          <dd data-figure="within-one-month">{share(report.shareWithinOneMonth, report.closedWithinOneMonth)}</dd>
          <dt>{m.withinThreeMonths}</dt>
          <dd data-figure="within-three-months">{share(report.shareWithinThreeMonths, report.closedWithinThreeMonths)}</dd>
          <dt>{m.median}</dt>
          <dd data-figure="median">{report.medianDaysToClose === null ? m.none : <strong>{m.days(report.medianDaysToClose)}</strong>}</dd>
          <dt>{m.overdue}</dt>
          <dd data-figure="overdue">
            <strong>
              <Num n={report.overdue} />
            </strong>{" "}
            <span className="hint">
              ({m.overdueAsOf} <LocalDate iso={report.today} />)
            </span>
          </dd>
        </dl>
        {report.closed === 0 ? <p className="notice">{m.noClosed}</p> : null}
        <p className="hint">{m.rules}</p>
      </section>

      <section className="panel" aria-labelledby="months-chart-title">
        <MonthsChart report={report} m={m} />
      </section>

      <div className="grid-2">
        <section className="panel" aria-labelledby="rights-chart-title">
          <BarChart id="rights" texts={m.rightsChart} m={m} rows={report.byRight.map((r) => ({ key: r.key, label: a.rights[r.key], value: r.count }))} />
        </section>
        <section className="panel" aria-labelledby="channels-chart-title">
          <BarChart
            id="channels"
            texts={m.channelsChart}
            m={m}
            rows={report.byChannel.map((r) => ({ key: r.key, label: a.channels[r.key], value: r.count }))}
          />
        </section>
        <section className="panel" aria-labelledby="sites-chart-title">
          <BarChart id="sites" texts={m.sitesChart} m={m} rows={report.bySite.map((r) => ({ key: r.key, label: a.sites[r.key], value: r.count }))} />
        </section>
      </div>
    </>
  );
}

const INK = "#111827";
const BLUE = "#1d4ed8";
const NAVY = "#1e3a8a";

/**
 * Received and closed side by side for each month. Closed bars are hatched,
 * not just another colour, and every bar carries its number as text.
 */
function MonthsChart({ report, m }: { report: MonthlyReport; m: ReportsMessages }) {
  const months = report.months;
  const max = Math.max(1, ...months.map((x) => Math.max(x.received, x.closed)));
  // Wide enough for the longest number to sit above its bar without touching the next one.
  const bar = Math.max(20, String(max).length * 8 + 4);
  const group = 2 * bar + 16;
  const left = 8;
  const top = 44;
  const plot = 160;
  const width = left * 2 + months.length * group;
  const height = top + plot + 36;
  const y = (v: number) => top + plot - (v / max) * plot;
  return (
    <figure style={{ margin: 0 }}>
      <h2 id="months-chart-title">{m.monthsChart.title}</h2>
      <div style={{ overflowX: "auto" }}>
        <svg
          role="img"
          aria-labelledby="months-svg-title months-svg-desc"
          viewBox={`0 0 ${width} ${height}`}
          width={width}
          height={height}
          style={{ maxWidth: "100%", height: "auto", minWidth: Math.min(width, 480) }}
          fontFamily="system-ui, sans-serif"
        >
          <title id="months-svg-title">{m.monthsChart.title}</title>
          <desc id="months-svg-desc">{m.monthsChart.desc(report.received, report.closed)}</desc>
          <defs>
            <pattern id="hatch-closed" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="6" height="6" fill="#ffffff" />
              <line x1="0" y1="0" x2="0" y2="6" stroke={NAVY} strokeWidth="3" />
            </pattern>
          </defs>
          {/* legend: shape and words, not colour alone */}
          <rect x={left} y={8} width={14} height={14} fill={BLUE} />
          <text x={left + 20} y={20} fontSize="13" fill={INK}>
            {m.received}
          </text>
          <rect x={left + 120} y={8} width={14} height={14} fill="url(#hatch-closed)" stroke={NAVY} strokeWidth="1.5" />
          <text x={left + 140} y={20} fontSize="13" fill={INK}>
            {m.closed}
          </text>
          <line x1={left} x2={width - left} y1={top + plot} y2={top + plot} stroke={INK} strokeWidth="1" />
          {months.map((mo, i) => {
            const x = left + i * group + (group - 2 * bar - 4) / 2;
            return (
              <g key={mo.month}>
                <rect x={x} y={y(mo.received)} width={bar} height={top + plot - y(mo.received)} fill={BLUE} />
                <text x={x + bar / 2} y={y(mo.received) - 4} fontSize="12" textAnchor="middle" fill={INK}>
                  <Num n={mo.received} />
                </text>
                <rect
                  x={x + bar + 4}
                  y={y(mo.closed)}
                  width={bar}
                  height={top + plot - y(mo.closed)}
                  fill="url(#hatch-closed)"
                  stroke={NAVY}
                  strokeWidth="1.5"
                />
                <text x={x + bar * 1.5 + 4} y={y(mo.closed) - 4} fontSize="12" textAnchor="middle" fill={INK}>
                  <Num n={mo.closed} />
                </text>
                <text x={left + i * group + group / 2} y={top + plot + 18} fontSize="12" textAnchor="middle" fill={INK}>
                  {m.monthShort(mo.month)}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      <table>
        <caption>{m.monthsChart.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{m.month}</th>
            <th scope="col">{m.received}</th>
            <th scope="col">{m.closed}</th>
            <th scope="col">{m.inTime}</th>
          </tr>
        </thead>
        <tbody>
          {months.map((mo) => (
            <tr key={mo.month} data-month={mo.month}>
              <th scope="row">{m.monthLabel(mo.month)}</th>
              <td>
                <Num n={mo.received} />
              </td>
              <td>
                <Num n={mo.closed} />
              </td>
              <td>{mo.closedWithinOneMonth}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

type ChartTexts = { title: string; desc: string; caption: string; column: string };

/** Horizontal bars with the label on the left and the number at the bar's end. */
function BarChart({ id, texts, rows, m }: { id: string; texts: ChartTexts; rows: { key: string; label: string; value: number }[]; m: ReportsMessages }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  // Narrow enough to sit in a third of the page without shrinking the text.
  const labelW = 130;
  const barMax = 120;
  const rowH = 30;
  const width = labelW + barMax + 50;
  const height = rows.length * rowH + 8;
  return (
    <figure style={{ margin: 0 }}>
      <h2 id={`${id}-chart-title`}>{texts.title}</h2>
      <svg
        role="img"
        aria-labelledby={`${id}-svg-title ${id}-svg-desc`}
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        style={{ maxWidth: "100%", height: "auto" }}
        fontFamily="system-ui, sans-serif"
      >
        <title id={`${id}-svg-title`}>{texts.title}</title>
        <desc id={`${id}-svg-desc`}>{texts.desc}</desc>
        {rows.map((r, i) => {
          const w = (r.value / max) * barMax;
          const yy = 4 + i * rowH;
          return (
            <g key={r.key}>
              <text x={labelW - 8} y={yy + 19} fontSize="14" textAnchor="end" fill={INK}>
                {r.label}
              </text>
              <rect x={labelW} y={yy + 5} width={Math.max(w, r.value ? 2 : 0)} height={rowH - 10} fill={BLUE} />
              <text x={labelW + w + 6} y={yy + 19} fontSize="14" fill={INK} fontWeight="bold">
                <Num n={r.value} />
              </text>
            </g>
          );
        })}
        <line x1={labelW} x2={labelW} y1={0} y2={height} stroke={INK} strokeWidth="1" />
      </svg>
      <table>
        <caption>{texts.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{texts.column}</th>
            <th scope="col">{m.count}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-key={`${id}-${r.key}`}>
              <th scope="row">{r.label}</th>
              <td>
                <Num n={r.value} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** A count with the reader's separators ("1 234" in French). */
function Num({ n }: { n: number }) {
  const locale = useLocale();
  return <>{formatNumber(locale, n)}</>;
}
