import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { useT } from "../components/i18n";
import { getMessage } from "../services/outbox.server";
import { db } from "../utils/db.server";
import { devToolsAllowed } from "../web/dev-tools.server";

export async function loader({ params, context }: LoaderFunctionArgs) {
  if (!devToolsAllowed(context)) throw data(null, { status: 404 });
  const id = Number(params.id);
  const m = Number.isSafeInteger(id) ? (await getMessage(db(), id)) : undefined;
  if (!m) throw data(null, { status: 404 });
  return data(
    { id: m.id, channel: m.channel, recipient: m.recipient, subject: m.subject, text: m.text, status: m.status, lastError: m.lastError },
    { headers: { "Cache-Control": "no-store", "X-Robots-Tag": "noindex" } },
  );
}

/** Links in the text version become clickable, so the demo can be followed by mouse or keyboard. */
function Linkified({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s]+)/g);
  return (
    <>
      {parts.map((p, i) => (i % 2 === 1 ? <a key={i} href={p}>{p}</a> : <Fragment key={i}>{p}</Fragment>))}
    </>
  );
}

export default function DevOutboxMessage() {
  const t = useT();
  const m = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to="/dev/outbox">← {t.outbox.title}</Link>
      </p>
      <h1>{m.subject ?? "SMS"}</h1>
      <dl className="summary">
        <dt>{t.outbox.to}</dt>
        <dd>{m.recipient}</dd>
        <dt>{t.outbox.channel}</dt>
        <dd>{t.outbox.channels[m.channel] ?? m.channel}</dd>
        <dt>{t.outbox.status}</dt>
        <dd>{t.outbox.statuses[m.status] ?? m.status}</dd>
      </dl>
      <pre>
        <Linkified text={m.text} />
      </pre>
    </>
  );
}
