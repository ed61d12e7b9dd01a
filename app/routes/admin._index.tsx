import type { LoaderFunctionArgs } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { CHANNELS, RIGHTS, SITES, STATUSES } from "../../db/schema/enums";
import { LocalDate, MarkerBadge } from "../components/admin-bits";
import { useLocale } from "../components/i18n";
import { formatInstant } from "../i18n";
import { formatNumber } from "../i18n/format";
import { assignableStaff, QueueFilters, queue } from "../services/tickets.server";
import { requireStaff } from "../web/staff-session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const url = new URL(request.url);
  const filters = QueueFilters.parse(Object.fromEntries(url.searchParams));
  const result = await queue({ ctx, filters });
  return {
    ...result,
    filters,
    staff: await assignableStaff(ctx.db),
    isAgent: ctx.actor.role === "agent",
  };
}

export default function Queue() {
  const adminT = useAdminT();
  const q = adminT.queue;
  const a = adminT;
  const locale = useLocale();
  const { rows, counts, overdue, soon, paused, total, page, pages, filters, staff, isAgent } = useLoaderData<typeof loader>();
  // A link that keeps the other filters (a status count keeps the site chosen, a page keeps them all).
  // A deadline counter is counted whatever the status, so its link drops the status filter.
  const linkWith = (key: "page" | "status" | "due", value: string | number | undefined) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) {
      if (v === undefined || k === "page" || k === key || (key === "due" && k === "status")) continue;
      if (k === "status" && v === "open") continue;
      p.set(k, String(v));
    }
    if (value !== undefined) p.set(key, String(value));
    const query = p.toString();
    return query ? `?${query}` : "/admin";
  };
  const dueLabel = {
    overdue: q.overdue,
    soon: q.dueSoon,
    paused: q.paused,
  } as const;
  const dueCounts = { overdue, soon, paused } as const;
  const pageLink = (n: number) => linkWith("page", n);
  return (
    <>
      <h1>{q.title}</h1>
      <section aria-labelledby="counts-title" className="panel">
        <h2 id="counts-title">{q.counts}</h2>
        <ul className="counts">
          {STATUSES.filter((s) => counts[s]).map((s) => (
            <li key={s}>
              <Link to={linkWith("status", s)}>
                {a.statuses[s]} : <strong>{formatNumber(locale, counts[s]!)}</strong>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="deadlines-title" className="panel">
        <h2 id="deadlines-title">{q.deadlines}</h2>
        <ul className="counts">
          {(["overdue", "soon", "paused"] as const).map((d) => {
            const active = filters.due === d;
            return (
              <li key={d}>
                <Link
                  to={linkWith("due", d)}
                  className="counter"
                  aria-current={active ? "true" : undefined}
                  aria-label={active ? q.counterShown(dueLabel[d], dueCounts[d]) : q.counterLink(dueLabel[d], dueCounts[d])}
                >
                  <span className={`badge ${d}`}>{dueLabel[d]}</span> <strong>{formatNumber(locale, dueCounts[d])}</strong>
                </Link>
              </li>
            );
          })}
        </ul>
        {filters.due ? (
          <p className="filter-active">
            {q.filterActive(dueLabel[filters.due])} <Link to={linkWith("due", undefined)}>{q.removeFilterLabel(dueLabel[filters.due])}</Link>
          </p>
        ) : null}
      </section>
      <Form method="get" className="filters" aria-label={q.filters}>
        <div className="field">
          <label htmlFor="f-q">{q.reference}</label>
          <input id="f-q" name="q" type="text" defaultValue={filters.q ?? ""} maxLength={20} />
        </div>
        <div className="field">
          <label htmlFor="f-status">{q.status}</label>
          <select id="f-status" name="status" defaultValue={filters.status}>
            <option value="open">{q.open}</option>
            <option value="all">{q.any}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {a.statuses[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-right">{q.right}</label>
          <select id="f-right" name="right" defaultValue={filters.right ?? ""}>
            <option value="">{q.any}</option>
            {RIGHTS.map((r) => (
              <option key={r} value={r}>
                {a.rights[r]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-channel">{q.channel}</label>
          <select id="f-channel" name="channel" defaultValue={filters.channel ?? ""}>
            <option value="">{q.any}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {a.channels[c]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-due">{q.dueFilter}</label>
          <select id="f-due" name="due" defaultValue={filters.due ?? ""}>
            <option value="">{q.any}</option>
            {(["overdue", "soon", "paused"] as const).map((d) => (
              <option key={d} value={d}>
                {dueLabel[d]}
              </option>
            ))}
          </select>
        </div>
        {!isAgent ? (
          <div className="field">
            <label htmlFor="f-site">{q.site}</label>
            <select id="f-site" name="site" defaultValue={filters.site ?? ""}>
              <option value="">{q.any}</option>
              {[...SITES, "web" as const].map((s) => (
                <option key={s} value={s}>
                  {a.sites[s]}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="f-assignee">{q.assignee}</label>
          <select id="f-assignee" name="assignee" defaultValue={filters.assignee === undefined ? "" : String(filters.assignee)}>
            <option value="">{q.any}</option>
            <option value="me">{q.me}</option>
            <option value="none">{q.unassigned}</option>
            {staff.map((s) => (
              <option key={s.id} value={s.id}>
                {s.displayName}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          {q.apply}
        </button>
      </Form>
      <p role="status">{q.total(total)}</p>
      {rows.length === 0 ? (
        <p>{q.none}</p>
      ) : (
        // Wider than a phone: the table scrolls inside its own region, which a keyboard can focus and scroll (RGAA 10.11).
        <div className="table-scroll" role="region" aria-label={q.tableRegion} tabIndex={0}>
          <table className="queue-table">
            <caption className="visually-hidden">{q.title}</caption>
            <thead>
              <tr>
                <th scope="col">{q.reference}</th>
                <th scope="col">{q.due}</th>
                <th scope="col">{q.status}</th>
                <th scope="col">{q.rights}</th>
                <th scope="col">{q.channel}</th>
                <th scope="col">{q.site}</th>
                <th scope="col">{q.received}</th>
                <th scope="col">{q.assignee}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.reference} data-marker={r.marker ?? ""}>
                  <th scope="row" className="ref">
                    <Link to={`/admin/demandes/${r.reference}`}>{r.reference}</Link>
                  </th>
                  <td>
                    <LocalDate iso={r.effectiveDueOn} /> <MarkerBadge marker={r.marker} />
                  </td>
                  <td>{a.statuses[r.status]}</td>
                  <td>{r.rights.map((x) => a.rights[x]).join(", ")}</td>
                  <td>{a.channels[r.channel]}</td>
                  <td>{a.sites[r.site ?? "web"]}</td>
                  <td>{formatInstant(new Date(r.receivedAt), locale)}</td>
                  <td>{r.assignee ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 ? (
        <nav aria-label={q.page(page, pages)}>
          <p>
            {page > 1 ? <Link to={pageLink(page - 1)}>{q.prev}</Link> : null} {q.page(page, pages)}{" "}
            {page < pages ? <Link to={pageLink(page + 1)}>{q.next}</Link> : null}
          </p>
        </nav>
      ) : null}
    </>
  );
}
