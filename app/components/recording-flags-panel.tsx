import { Form } from "@remix-run/react";
import { retentionMessages } from "../i18n/admin/retention";
import type { RecordingFlag } from "../services/retention.server";
import { formatInstant } from "../i18n";
import { ColumnHeads } from "./admin-bits";
import { useLocale } from "./i18n";

/**
 * Recordings found for the person that staff must notice: past the
 * register's duration (the next purge deletes them) or recorded without a
 * recorded agreement. The DPO can hold one for a dispute from here.
 */
export function RecordingFlagsPanel({ flags, reference, canHold }: { flags: RecordingFlag[]; reference: string; canHold: boolean }) {
  const locale = useLocale();
  const m = retentionMessages[locale];
  return (
    <section className="panel" aria-labelledby="recording-flags-title">
      <h2 id="recording-flags-title">{m.flagsTitle}</h2>
      <p>{m.flagsIntro}</p>
      <table>
        <caption className="visually-hidden">{m.flagsCaption}</caption>
        <ColumnHeads cols={[m.flagColumns.recording, m.flagColumns.startedAt, m.flagColumns.flags, m.flagColumns.hold]} />
        <tbody>
          {flags.map((f, i) => (
            <tr key={`${f.connectorId}:${f.recording}`} data-recording={f.recording} data-past-retention={f.pastRetention} data-without-consent={f.withoutConsent} data-held={f.held}>
              <th scope="row">
                {f.recording} <span>({f.connectorLabel})</span>
              </th>
              <td>
                {f.startedAt ? <time dateTime={f.startedAt}>{formatInstant(new Date(f.startedAt), locale)}</time> : "—"}
              </td>
              <td>
                <ul>
                  {f.pastRetention ? <li>{m.pastRetention(f.retentionDays)}</li> : null}
                  {f.withoutConsent ? <li>{m.withoutConsent}</li> : null}
                </ul>
              </td>
              <td>
                {f.held ? m.held : m.notHeld}
                {canHold && !f.held ? (
                  <Form method="post" action="/admin/conservation">
                    <input type="hidden" name="intent" value="set" />
                    <input type="hidden" name="connectorId" value={f.connectorId} />
                    <input type="hidden" name="itemKey" value={f.recording} />
                    <input type="hidden" name="reference" value={reference} />
                    <div className="field">
                      <label htmlFor={`hold-reason-${i}`}>{m.reason}</label>
                      <textarea id={`hold-reason-${i}`} name="reason" aria-required required maxLength={1000} />
                    </div>
                    <button type="submit" className="button secondary">
                      {m.holdFromTicket}
                    </button>
                  </Form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
