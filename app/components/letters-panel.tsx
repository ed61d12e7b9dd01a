import type { LetterSummary } from "../services/letters.server";
import { useAdminT } from "./admin-i18n";
import { formatInstant, formatLocalDate } from "../i18n";
import { ticketPageMessages } from "../i18n/admin/ticket-page";
import { ColumnHeads, IntentButton } from "./admin-bits";
import { useLocale } from "./i18n";

/** Every letter sent to the person; those to post are printed from here and marked as posted. */
export function LettersPanel({ reference, letters, sent }: { reference: string; letters: LetterSummary[]; sent: Record<number, { state: "sent" | "queued" | "expired"; sentAt: Date | string | null }> }) {
  const adminT = useAdminT();
  const locale = useLocale();
  const w = ticketPageMessages[locale].letterStates;
  const l = adminT.answers.letters;
  if (letters.length === 0) return null;
  const date = (d: Date | string) => formatLocalDate(new Date(d).toISOString().slice(0, 10), locale);
  return (
    <section className="panel" aria-labelledby="letters-title">
      <h2 id="letters-title">{l.title}</h2>
      <table>
        <ColumnHeads cols={[l.kind, l.sent, ""]} />
        <tbody>
          {letters.map((x) => (
            <tr key={x.id} data-letter-kind={x.kind} data-delivery={x.delivery} data-posted={x.postedAt ? "yes" : "no"} data-send-state={sent[x.id]?.state ?? ""}>
              <th scope="row">
                {x.subject} — {date(x.createdAt)}
              </th>
              <td>
                {l.deliveries[x.delivery]}
                {x.delivery === "post" ? ` — ${x.postedAt ? l.posted(date(x.postedAt)) : l.toPost}` : ""}
                {sent[x.id] ? ` — ${sent[x.id]!.state === "sent" && sent[x.id]!.sentAt ? w.sent(formatInstant(new Date(sent[x.id]!.sentAt!), locale)) : sent[x.id]!.state === "expired" ? w.expired : w.queued}` : ""}
              </td>
              <td>
                <a href={`/admin/demandes/${reference}/courrier/${x.id}`} target="_blank" rel="noopener">
                  {l.print}
                </a>
                {x.delivery === "post" && !x.postedAt ? <IntentButton intent="letter-posted" fields={{ letterId: String(x.id) }} label={l.markPosted} link /> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
