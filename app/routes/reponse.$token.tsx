import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { pageTitle } from "../utils/meta";
import { TextArea } from "../components/fields";
import { useLocale, useT } from "../components/i18n";
import { formatLocalDate } from "../i18n";
import { DomainError, httpStatusOf } from "../services/errors";
import { replyView, requesterReply } from "../services/tickets.server";
import { db } from "../utils/db.server";
import { passThroughHeaders } from "../utils/headers";
import { ctxFrom } from "../web/request.server";
import { formData } from "../web/form.server";

export const meta = pageTitle((t) => t.reply.title);

export const headers = passThroughHeaders;

/**
 * The requester answers the DPO's question; the legal clock resumes. The
 * page shows what is asked and about which request before the text box, so
 * the answer is written knowing both.
 */
export async function loader({ params }: LoaderFunctionArgs) {
  const view = await replyView(db(), params.token ?? "", new Date());
  return data({ view }, { status: view ? 200 : 400, headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const message = String((await formData(request)).get("message") ?? "");
  try {
    const r = await requesterReply({ ctx: ctxFrom(), token, message });
    if (!r.ok) return data({ view: null, error: null }, { status: 400 });
  } catch (error) {
    if (error instanceof DomainError) return data({ view: await replyView(db(), token, new Date()), error: "required" as const }, { status: httpStatusOf(error.code) });
    throw error;
  }
  return redirect("/reponse/merci");
}

export default function Reply() {
  const t = useT();
  const locale = useLocale();
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const view = acted ? acted.view : loaded.view;
  const r = t.reply;
  if (!view) {
    return (
      <>
        <h1>{r.unusableTitle}</h1>
        <p role="alert">{r.unusable}</p>
        <ul>
          <li>{r.unusableAnswered}</li>
          <li>
            {r.unusableExpired} <a href="/suivi">{t.layout.nav.follow}</a>
          </li>
        </ul>
      </>
    );
  }
  const date = (iso: string) => formatLocalDate(iso, locale);
  return (
    <>
      <h1>{r.title}</h1>
      <dl className="facts">
        <dt>{r.reference}</dt>
        <dd>
          <span className="reference">{view.reference}</span>
        </dd>
        <dt>{r.receivedOn}</dt>
        <dd>{date(view.receivedOn)}</dd>
      </dl>
      <section aria-labelledby="question-title">
        <h2 id="question-title">{r.questionTitle(date(view.askedOn))}</h2>
        <blockquote>
          <p>{view.question}</p>
        </blockquote>
      </section>
      <section aria-labelledby="next-title">
        <h2 id="next-title">{r.nextTitle}</h2>
        <p>{r.next}</p>
        <p>{r.closeOn(date(view.closeOn))}</p>
      </section>
      <Form method="post">
        <TextArea name="message" label={r.label} hint={r.hint} required maxLength={5000} error={acted?.error ? r.required : undefined} />
        <button type="submit" className="button">
          {r.submit}
        </button>
      </Form>
    </>
  );
}
