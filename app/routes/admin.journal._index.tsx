import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useLocale } from "../components/i18n";
import { formatInstant } from "../i18n";
import { auditMessages, type AuditMessages } from "../i18n/admin/audit";
import { detailLabel, detailValue } from "../i18n/labels";
import { AuditAction } from "../services/audit.server";
import { ACTION_GROUPS, chainStatus, journalActors, listJournal, parseJournalFilters, type ChainStatus, type JournalFilters } from "../services/journal.server";
import { requireStaff, rethrowDomain } from "../web/staff-session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const { filters, invalid } = parseJournalFilters(new URL(request.url).searchParams);
  try {
    const actors = await journalActors(ctx);
    // A list only for valid filters: a mistyped date must not silently widen the search.
    const list = invalid.length ? null : (await listJournal({ ctx, filters }));
    const chain = await chainStatus(ctx);
    const body = { filters, invalid, list, actors, chain, actions: AuditAction.options, groups: ACTION_GROUPS };
    return data(body, { status: invalid.length ? 400 : 200, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    rethrowDomain(error);
  }
}

/** The filters as a query string, for the pager and the CSV link (never anything personal: codes, references, dates). */
function query(filters: JournalFilters, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const k of ["action", "reference", "actor", "from", "to"] as const) if (filters[k]) p.set(k, filters[k]!);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
}

export default function Journal() {
  const locale = useLocale();
  const m = auditMessages[locale];
  const { filters, invalid, list, actors, chain, actions, groups } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>{m.title}</h1>
      <p>{m.intro}</p>
      <ChainLine chain={chain} m={m} />
      <Form method="get" className="filters" aria-labelledby="journal-filters-title">
        <h2 id="journal-filters-title" className="visually-hidden">
          {m.filters}
        </h2>
        <div className="field">
          <label htmlFor="j-action">{m.action}</label>
          <select id="j-action" name="action" defaultValue={filters.action ?? ""}>
            <option value="">{m.allActions}</option>
            {groups.map((g) => (
              <optgroup key={g} label={m.groups[g] ?? g}>
                <option value={`${g}.*`}>{m.group(m.groups[g] ?? g)}</option>
                {actions
                  .filter((a) => a.startsWith(`${g}.`))
                  .map((a) => (
                    <option key={a} value={a}>
                      {m.actions[a]}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="j-reference">{m.reference}</label>
          <input
            id="j-reference"
            name="reference"
            type="text"
            defaultValue={filters.reference ?? ""}
            maxLength={20}
            pattern="[A-Za-z0-9\-]{1,20}"
            autoComplete="off"
            aria-describedby="j-reference-hint"
            aria-invalid={invalid.includes("reference") || undefined}
          />
          <p id="j-reference-hint" className="hint">
            {m.referenceHint}
          </p>
        </div>
        <div className="field">
          <label htmlFor="j-actor">{m.actor}</label>
          <select id="j-actor" name="actor" defaultValue={filters.actor ?? ""}>
            <option value="">{m.anyActor}</option>
            <option value="requester">{m.requester}</option>
            <option value="system">{m.system}</option>
            <option value="staff">{m.allStaff}</option>
            {actors.map((s) => (
              <option key={s.id} value={`staff:${s.id}`}>
                {s.displayName}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="j-from">{m.from}</label>
          <input
            id="j-from"
            name="from"
            type="date"
            defaultValue={filters.from ?? ""}
            aria-describedby="j-date-hint"
            aria-invalid={invalid.includes("from") || undefined}
          />
        </div>
        <div className="field">
          <label htmlFor="j-to">{m.to}</label>
          <input
            id="j-to"
            name="to"
            type="date"
            defaultValue={filters.to ?? ""}
            aria-describedby="j-date-hint"
            aria-invalid={invalid.includes("to") || undefined}
          />
        </div>
        <button type="submit" className="button">
          {m.apply}
        </button>
        <Link to="/admin/journal">{m.reset}</Link>
        <p id="j-date-hint" className="hint">
          {m.dateHint}
        </p>
      </Form>
      {invalid.length || !list ? (
        <div className="error-box" role="alert">
          <p>{m.invalid}</p>
          <ul>
            {invalid.map((f) => (
              <li key={f}>{m.invalidFields[f]}</li>
            ))}
          </ul>
        </div>
      ) : (
        <>
          <p>
            {/* a plain link: a file download, not a page the router should render */}
            <a href={`/admin/journal.csv${query(filters)}`} className="button" download>
              {m.download}
            </a>{" "}
            <span className="hint">{m.downloadHint}</span>
          </p>
          <p role="status">{m.total(list.total)}</p>
          {list.rows.length === 0 ? (
            <p>{m.none}</p>
          ) : (
            <div style={{ overflowX: "auto" }}>
              <table className="journal">
                <caption className="visually-hidden">{m.caption}</caption>
                <thead>
                  <tr>
                    <th scope="col">{m.columns.seq}</th>
                    <th scope="col">{m.columns.at}</th>
                    <th scope="col">{m.columns.actor}</th>
                    <th scope="col">{m.columns.action}</th>
                    <th scope="col">{m.columns.reference}</th>
                    <th scope="col">{m.columns.details}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.rows.map((r) => {
                    const at = new Date(r.at);
                    return (
                      <tr key={r.seq} data-seq={r.seq} data-action={r.action}>
                        <th scope="row">{r.seq}</th>
                        <td>
                          <time dateTime={at.toISOString()}>{formatInstant(at, locale)}</time>
                        </td>
                        <td data-actor={r.actorKind}>
                          {r.actorKind === "staff" ? r.actorName ?? m.staffUnknown(r.actorId ?? 0) : r.actorKind === "requester" ? m.requester : m.system}
                        </td>
                        <td>{(m.actions as Record<string, string>)[r.action] ?? r.action}</td>
                        <td>{r.reference ? <Link to={`/admin/demandes/${r.reference}`}>{r.reference}</Link> : "—"}</td>
                        <td>
                          <Details details={r.details} m={m} />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          {list.pages > 1 ? (
            <nav aria-label={m.page(list.page, list.pages)}>
              <p>
                {list.page > 1 ? <Link to={query(filters, { page: String(list.page - 1) })}>{m.prev}</Link> : null} {m.page(list.page, list.pages)}{" "}
                {list.page < list.pages ? <Link to={query(filters, { page: String(list.page + 1) })}>{m.next}</Link> : null}
              </p>
            </nav>
          ) : null}
        </>
      )}
    </>
  );
}

/** Details are identifiers, counts and codes; shown as text (React escapes it), one "key: value" per line. */
function Details({ details, m }: { details: Record<string, unknown>; m: AuditMessages }) {
  const locale = useLocale();
  const entries = Object.entries(details);
  if (!entries.length) return <>{m.noDetails}</>;
  return (
    <ul style={{ listStyle: "none", padding: 0, margin: 0 }}>
      {entries.map(([k, v]) => (
        <li key={k}>
          <span className="hint">{`${detailLabel(k, locale)}${locale === "fr" ? " :" : ":"}`}</span> {detailValue(k, v, locale)}
        </li>
      ))}
    </ul>
  );
}

function ChainLine({ chain, m }: { chain: ChainStatus; m: AuditMessages }) {
  const locale = useLocale();
  if (!chain.ok) {
    return (
      <section className="error-box" role="alert" aria-labelledby="chain-title" data-chain="broken">
        <h2 id="chain-title">{m.chainTitle}</h2>
        <p>
          <strong>{m.chainBroken(chain.brokenAt)}</strong> {m.chainReasons[chain.reason]}
        </p>
        <p>{m.chainBrokenHint}</p>
      </section>
    );
  }
  return (
    <section className="panel" aria-labelledby="chain-title" data-chain="ok">
      <h2 id="chain-title">{m.chainTitle}</h2>
      <p>
        <span className="badge ok">{chain.count ? m.chainOk(chain.count) : m.chainEmpty}</span>{" "}
        <span className="hint">{m.fullCheck(formatInstant(new Date(chain.fullCheckAt), locale))}</span>
      </p>
      {chain.head ? (
        <p>
          <code data-head={`${chain.head.seq}:${chain.head.hash}`} style={{ overflowWrap: "anywhere" }}>
            {m.chainHead(chain.head.seq, chain.head.hash)}
          </code>
          <br />
          <span className="hint">{m.chainHeadHint}</span>
        </p>
      ) : null}
    </section>
  );
}
