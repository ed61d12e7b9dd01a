import { Form } from "@remix-run/react";
import { useAdminT } from "./admin-i18n";
import type { TicketView } from "./admin-bits";
import { TextArea } from "./fields";
import { useLocale } from "./i18n";
import { formatInstant, formatLocalDate } from "../i18n";
import { ticketPageMessages } from "../i18n/admin/ticket-page";

/** The staff's notes on the ticket, newest first, and the form to add one. */
export function NotesPanel({ notes }: { notes: TicketView["notes"] }) {
  const k = useAdminT().ticket;
  const locale = useLocale();
  return (
    <section className="panel" aria-labelledby="notes-title">
      <h2 id="notes-title">{k.notes}</h2>
      <Form method="post">
        <input type="hidden" name="intent" value="note" />
        <TextArea name="body" label={k.noteLabel} maxLength={5000} />
        <button type="submit" className="button secondary">
          {k.addNote}
        </button>
      </Form>
      <ul>
        {notes.map((n, i) => (
          <li key={i}>
            <time dateTime={new Date(n.at).toISOString()}>{formatInstant(new Date(n.at), locale)}</time> — {n.author ?? (locale === "fr" ? "Demandeur" : "Requester")} : {n.body}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Everything that happened to the ticket, in order, each event with its facts in words. */
export function TimelinePanel({ events, connectorLabels }: { events: TicketView["events"]; connectorLabels: Record<string, string> }) {
  const a = useAdminT();
  const k = a.ticket;
  const locale = useLocale();
  const tp = ticketPageMessages[locale];
  const eventWords = {
    date: (iso: string) => formatLocalDate(iso, locale),
    connector: (id: string) => connectorLabels[id] ?? id,
    reason: (r: string) => (a.refusalReasons as Record<string, string>)[r] ?? r,
    method: (m: string) => a.answers.methods[m] ?? m,
  };
  return (
    <section className="panel" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{k.timeline}</h2>
      <ol className="timeline">
        {events.map((e, i) => (
          <li key={i}>
            <time dateTime={new Date(e.at).toISOString()}>{formatInstant(new Date(e.at), locale)}</time> — {a.events[e.type]}
            {(() => {
              const detail = tp.eventDetail(e.type, (e.data ?? {}) as Record<string, unknown>, eventWords);
              return detail ? ` (${detail})` : null;
            })()}
          </li>
        ))}
      </ol>
    </section>
  );
}
