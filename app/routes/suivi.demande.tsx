import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { sendDownloadLink } from "../services/delivery.server";
import { DomainError, httpStatusOf } from "../services/errors";
import { statusView } from "../services/status-view.server";
import { contestLift } from "../services/restriction.server";
import { controllerPartText } from "../i18n/controller-parts";
import { ctxFrom } from "../web/request.server";
import { pageTitle } from "../utils/meta";
import { useLocale, useT } from "../components/i18n";
import { formatInstant, formatLocalDate } from "../i18n";
import { grantedRequest } from "../utils/cookies.server";
import { db } from "../utils/db.server";
import { passThroughHeaders } from "../utils/headers";
import { formData } from "../web/form.server";

export const meta = pageTitle((t) => t.status.title);

export const headers = passThroughHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const expiredLink = url.searchParams.get("lien") === "expire";
  // A spent link says so even to a browser that still holds a follow cookie: a second use never opens the request.
  const id = expiredLink ? null : await grantedRequest(request, "follow");
  const view = id ? (await statusView(db(), id, new Date())) : null;
  const headers = { "Cache-Control": "no-store" };
  if (!view) return data({ view: null, expiredLink, justVerified: false }, { status: 401, headers });
  return data({ view, expiredLink: false, justVerified: url.searchParams.get("confirmee") === "1" }, { headers });
}

/**
 * A download needs a fresh proof: the link goes to the mailbox (or phone) on the request.
 * A restriction's announced lift can be contested here before it runs (Art. 18(3)).
 */
export async function action({ request }: ActionFunctionArgs) {
  const id = await grantedRequest(request, "follow");
  if (!id) return data({ sent: false, contested: false }, { status: 401 });
  const form = await formData(request);
  try {
    if (form.get("intent") === "lift-contest") {
      await contestLift({ ctx: ctxFrom(), requestId: id });
      return { sent: false, contested: true };
    }
    await sendDownloadLink({ ctx: ctxFrom(), requestId: id, archiveId: Number(form.get("archiveId")) });
  } catch (error) {
    if (error instanceof DomainError) return data({ sent: false, contested: false }, { status: httpStatusOf(error.code) });
    throw error;
  }
  return { sent: true, contested: false };
}

export default function RequestStatus() {
  const t = useT();
  const locale = useLocale();
  const { view, expiredLink, justVerified } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const sent = result?.sent;
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
  const s = t.status;
  const date = (d: Date | string) => formatLocalDate(typeof d === "string" ? d : new Date(d).toISOString().slice(0, 10), locale);
  const due = view.dueOn ? formatLocalDate(view.dueOn, locale) : null;
  return (
    <>
      {justVerified && due ? (
        <div className="notice" role="status">
          <h2>{t.verify.doneTitle}</h2>
          <p>{t.verify.done(due)}</p>
        </div>
      ) : null}
      <h1>{s.title}</h1>
      <dl className="summary">
        <dt>{s.reference}</dt>
        <dd className="reference">{view.reference}</dd>
        <dt>{s.state}</dt>
        <dd data-state={view.state} data-status={view.status}>
          <strong>{s.states[view.state]}</strong>
        </dd>
        <dt>{s.rights}</dt>
        <dd>{view.rights.map((r) => t.rights[r]).join(" · ")}</dd>
        <dt>{s.receivedAt}</dt>
        <dd>{formatInstant(new Date(view.receivedAt), locale)}</dd>
        {view.closedAt ? (
          <>
            <dt>{s.closedOn}</dt>
            <dd>{formatInstant(new Date(view.closedAt), locale)}</dd>
          </>
        ) : (
          <>
            <dt>{s.dueOn}</dt>
            <dd data-due={view.dueOn ?? ""}>
              {view.status === "awaiting_verification" || !due ? s.duePaused : due}
              {view.extended && due ? ` — ${s.dueExtended}` : ""}
            </dd>
          </>
        )}
      </dl>
      {view.question ? (
        <section className="notice" aria-labelledby="question-title">
          <h2 id="question-title">{s.questionTitle}</h2>
          <blockquote>
            <p>{view.question.question}</p>
          </blockquote>
          <p>{s.questionAsked(date(view.question.askedAt))}</p>
          <p>{s.questionHow}</p>
        </section>
      ) : null}
      {view.extended && due ? (
        <section aria-labelledby="extension-title">
          <h2 id="extension-title">{s.extensionTitle}</h2>
          <p>{s.extensionText(due)}</p>
        </section>
      ) : null}
      {view.refusal ? (
        <section aria-labelledby="refusal-title">
          <h2 id="refusal-title">{s.refusalTitle}</h2>
          <ul>
            {view.refusal.reasons.map((r) => (
              <li key={r}>{t.refusalReasons[r]}</li>
            ))}
          </ul>
          {view.refusal.letterId ? (
            <p>
              <a href={`/suivi/courrier/${view.refusal.letterId}`}>{s.letterOpen}</a>
            </p>
          ) : null}
          <p>{s.refusalRemedies}</p>
        </section>
      ) : null}
      {view.state === "no_data" ? (
        <section aria-labelledby="nodata-title">
          <h2 id="nodata-title">{s.noDataTitle}</h2>
          <p>{s.noDataText}</p>
        </section>
      ) : null}
      {view.archives.length > 0 ? (
        <section aria-labelledby="archives-title">
          <h2 id="archives-title">{s.archives}</h2>
          {sent ? (
            <p className="notice" role="status">
              {s.linkSent}
            </p>
          ) : null}
          <ul>
            {view.archives.map((a) => (
              <li key={a.id}>
                <strong>{a.kind === "access" ? s.archiveAccess : s.archivePortability}</strong> — {s.archiveUntil(date(a.expiresAt))}
                <Form method="post">
                  <input type="hidden" name="archiveId" value={a.id} />
                  <button type="submit" className="button secondary">
                    {s.getLink}
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {view.archivesGone.length > 0 ? (
        <section aria-labelledby="archives-gone-title">
          <h2 id="archives-gone-title">{s.archivesGone}</h2>
          <ul>
            {view.archivesGone.map((a) => (
              <li key={a.id} data-purge-reason={a.reason}>
                <strong>{a.kind === "access" ? s.archiveAccess : s.archivePortability}</strong> — {s.archiveGone[a.reason](date(a.purgedAt))}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {view.controllers.length > 0 ? (
        <section aria-labelledby="controllers-title">
          <h2 id="controllers-title">{s.controllersTitle}</h2>
          {view.controllers.map((p) => (
            <div key={p.client} data-controller-part={p.state}>
              <p>
                <strong>{s.controllerState[p.state](p.client)}</strong>
              </p>
              <p>{controllerPartText(p, locale, "request")}</p>
            </div>
          ))}
        </section>
      ) : null}
      {view.certificate ? (
        <section aria-labelledby="certificate-title">
          <h2 id="certificate-title">{s.certificateTitle}</h2>
          <p>{s.certificateExplain}</p>
          <p>
            <a href="/suivi/certificat" download>
              {s.certificateLink}
            </a>
          </p>
        </section>
      ) : null}
      {result?.contested ? (
        <p className="flash" role="status">
          {s.liftContested}
        </p>
      ) : view.liftDue ? (
        <section className="notice" aria-labelledby="lift-title">
          <h2 id="lift-title">{s.liftTitle}</h2>
          <p>{s.liftExplain(formatInstant(new Date(view.liftDue), locale))}</p>
          <Form method="post">
            <input type="hidden" name="intent" value="lift-contest" />
            <button type="submit" className="button">
              {s.liftContest}
            </button>
          </Form>
        </section>
      ) : null}
      {view.notified.length > 0 ? (
        <section aria-labelledby="notified-title">
          <h2 id="notified-title">{s.notifiedTitle}</h2>
          <p>{s.notifiedExplain}</p>
          <ul>
            {view.notified.map((n, i) => (
              <li key={i} data-notified={n.kind}>
                <strong>{n.recipient}</strong> — {s.notifiedOn(s.notifiedKind[n.kind], date(n.sentAt))}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {view.letters.length > 0 ? (
        <section aria-labelledby="letters-title">
          <h2 id="letters-title">{s.lettersTitle}</h2>
          <ul>
            {view.letters.map((l) => (
              <li key={l.id} data-letter-kind={l.kind}>
                <a href={`/suivi/courrier/${l.id}`}>{l.subject}</a> — {date(l.createdAt)}
                {l.delivery === "post" ? ` (${l.postedAt ? s.letterPosted(date(l.postedAt)) : s.letterToPost})` : ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <h2>{s.timeline}</h2>
      <ol className="timeline">
        {view.events.map((e, i) => (
          <li key={i} data-event={e.type}>
            <time dateTime={new Date(e.at).toISOString()}>{formatInstant(new Date(e.at), locale)}</time> — {s.events[e.type]}
          </li>
        ))}
      </ol>
    </>
  );
}
