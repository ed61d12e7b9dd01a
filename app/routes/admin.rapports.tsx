import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { Form, useLoaderData } from "@remix-run/react";
import { LocalDate } from "../components/admin-bits";
import { BarChart, MonthsChart, Num } from "../components/report-charts";
import { useLocale, useT } from "../components/i18n";
import { reportsMessages, type ReportsMessages } from "../i18n/admin/reports";
import { DomainError, httpStatusOf } from "../services/errors";
import { monthlyReport, type MonthlyReport } from "../services/reports.server";
import { requireStaff, rethrowDomain } from "../web/staff-session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const url = new URL(request.url);
  const query = { from: url.searchParams.get("from") ?? "", to: url.searchParams.get("to") ?? "" };
  try {
    return { report: await monthlyReport({ ctx, ...query }), query, invalid: false };
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
