import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { pageTitle } from "../utils/meta";
import { useLocale, useT } from "../components/i18n";
import { formatInstant } from "../i18n";
import { listRecent } from "../services/outbox.server";
import { db } from "../utils/db.server";
import { devToolsAllowed } from "../web/dev-tools.server";

export const meta = pageTitle((t) => t.outbox.title);

/** Development outbox: what the demo "sent". Absent in production, and to any browser not on this machine. */
export async function loader({ context }: LoaderFunctionArgs) {
  if (!devToolsAllowed(context)) throw data(null, { status: 404 });
  const messages = (await listRecent(db(), 200)).map((m) => ({
    id: m.id,
    channel: m.channel,
    recipient: m.recipient,
    subject: m.subject ?? m.text.slice(0, 80),
    status: m.status,
    createdAt: m.createdAt,
  }));
  return data({ messages }, { headers: { "Cache-Control": "no-store", "X-Robots-Tag": "noindex" } });
}

export default function DevOutbox() {
  const t = useT();
  const locale = useLocale();
  const { messages } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>{t.outbox.title}</h1>
      <p>{t.outbox.intro}</p>
      {messages.length === 0 ? (
        <p>{t.outbox.empty}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t.outbox.at}</th>
              <th scope="col">{t.outbox.channel}</th>
              <th scope="col">{t.outbox.to}</th>
              <th scope="col">{t.outbox.subject}</th>
              <th scope="col">{t.outbox.status}</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id}>
                <td>{formatInstant(new Date(m.createdAt), locale)}</td>
                <td>{t.outbox.channels[m.channel] ?? m.channel}</td>
                <td>{m.recipient}</td>
                <td>
                  <Link to={`/dev/outbox/${m.id}`}>{m.subject}</Link>
                </td>
                <td>{t.outbox.statuses[m.status] ?? m.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
