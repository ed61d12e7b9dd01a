import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { pageTitle } from "../utils/meta";
import { useLocale, useT } from "../components/i18n";
import { formatInstant, formatLocalDate } from "../i18n";
import * as requests from "../services/requests.server";
import { grantedRequest } from "../utils/cookies.server";
import { db } from "../utils/db.server";
import { passThroughHeaders } from "../utils/headers";

export const meta = pageTitle((t) => t.status.title);

export const headers = passThroughHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const id = await grantedRequest(request, "follow");
  const view = id ? requests.statusView(db(), id) : null;
  const headers = { "Cache-Control": "no-store" };
  if (!view) return data({ view: null, expiredLink: url.searchParams.get("lien") === "expire", justVerified: false }, { status: 401, headers });
  return data({ view, expiredLink: false, justVerified: url.searchParams.get("confirmee") === "1" }, { headers });
}

export default function RequestStatus() {
  const t = useT();
  const locale = useLocale();
  const { view, expiredLink, justVerified } = useLoaderData<typeof loader>();
  if (!view) {
    return (
      <>
        <h1>{expiredLink ? t.follow.expiredTitle : t.follow.title}</h1>
        <p role="alert">{expiredLink ? t.follow.expired : t.follow.sessionExpired}</p>
        <p>
          <a href="/suivi">{t.follow.submit}</a>
        </p>
      </>
    );
  }
  const due = view.dueOn ? formatLocalDate(view.dueOn, locale) : null;
  return (
    <>
      {justVerified && due ? (
        <div className="notice" role="status">
          <h2>{t.verify.doneTitle}</h2>
          <p>{t.verify.done(due)}</p>
        </div>
      ) : null}
      <h1>{t.status.title}</h1>
      <dl className="summary">
        <dt>{t.status.reference}</dt>
        <dd className="reference">{view.reference}</dd>
        <dt>{t.status.state}</dt>
        <dd data-status={view.status}>{t.status.labels[view.status]}</dd>
        <dt>{t.status.rights}</dt>
        <dd>{view.rights.map((r) => t.rights[r]).join(" · ")}</dd>
        <dt>{t.status.receivedAt}</dt>
        <dd>{formatInstant(new Date(view.receivedAt), locale)}</dd>
        <dt>{t.status.dueOn}</dt>
        <dd data-due={view.dueOn ?? ""}>
          {view.status === "awaiting_verification" || !due ? t.status.duePaused : due}
          {view.extended ? ` — ${t.status.dueExtended}` : ""}
        </dd>
      </dl>
      <h2>{t.status.timeline}</h2>
      <ol className="timeline">
        {view.events.map((e, i) => (
          <li key={i}>
            <time dateTime={new Date(e.at).toISOString()}>{formatInstant(new Date(e.at), locale)}</time> — {t.status.events[e.type] ?? t.status.other}
          </li>
        ))}
      </ol>
    </>
  );
}
