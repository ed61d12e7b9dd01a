import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { archivesFor, sendDownloadLink } from "../services/delivery.server";
import { certificateFor } from "../services/erasure.server";
import { DomainError } from "../services/errors";
import { ctxFrom } from "../utils/request.server";
import { pageTitle } from "../utils/meta";
import { useLocale, useT } from "../components/i18n";
import { formatInstant, formatLocalDate } from "../i18n";
import * as requests from "../services/requests.server";
import { grantedRequest } from "../utils/cookies.server";
import { db } from "../utils/db.server";
import { passThroughHeaders } from "../utils/headers";
import { formData } from "../utils/form.server";

export const meta = pageTitle((t) => t.status.title);

export const headers = passThroughHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const id = await grantedRequest(request, "follow");
  const view = id ? requests.statusView(db(), id) : null;
  const headers = { "Cache-Control": "no-store" };
  if (!view) return data({ view: null, expiredLink: url.searchParams.get("lien") === "expire", justVerified: false }, { status: 401, headers });
  return data(
    { view, archives: archivesFor(db(), id!, new Date()), certificate: certificateFor(db(), id!) !== null, expiredLink: false, justVerified: url.searchParams.get("confirmee") === "1" },
    { headers },
  );
}

/** A download needs a fresh proof: the link goes to the mailbox (or phone) on the request. */
export async function action({ request }: ActionFunctionArgs) {
  const id = await grantedRequest(request, "follow");
  if (!id) return data({ sent: false }, { status: 401 });
  const archiveId = Number((await formData(request)).get("archiveId"));
  try {
    sendDownloadLink({ ctx: ctxFrom(), requestId: id, archiveId });
  } catch (error) {
    if (error instanceof DomainError) return data({ sent: false }, { status: 404 });
    throw error;
  }
  return { sent: true };
}

export default function RequestStatus() {
  const t = useT();
  const locale = useLocale();
  const loaded = useLoaderData<typeof loader>();
  const { view, expiredLink, justVerified } = loaded;
  const archives = "archives" in loaded ? loaded.archives : [];
  const certificate = "certificate" in loaded && loaded.certificate;
  const sent = useActionData<typeof action>()?.sent;
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
      {archives.length > 0 ? (
        <section aria-labelledby="archives-title">
          <h2 id="archives-title">{t.status.archives}</h2>
          {sent ? (
            <p className="notice" role="status">
              {t.status.linkSent}
            </p>
          ) : null}
          <ul>
            {archives.map((a) => (
              <li key={a.id}>
                <strong>{a.kind === "access" ? t.status.archiveAccess : t.status.archivePortability}</strong> — {t.status.archiveUntil(formatLocalDate(new Date(a.expiresAt).toISOString().slice(0, 10), locale))}
                <Form method="post">
                  <input type="hidden" name="archiveId" value={a.id} />
                  <button type="submit" className="button secondary">
                    {t.status.getLink}
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {certificate ? (
        <section aria-labelledby="certificate-title">
          <h2 id="certificate-title">{t.status.certificateTitle}</h2>
          <p>{t.status.certificateExplain}</p>
          <p>
            <a href="/suivi/certificat" download>
              {t.status.certificateLink}
            </a>
          </p>
        </section>
      ) : null}
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
