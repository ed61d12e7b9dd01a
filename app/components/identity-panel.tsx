import { Form } from "@remix-run/react";
import { useAdminT } from "./admin-i18n";
import { formatLocalDate } from "../i18n";
import { IntentButton } from "./admin-bits";
import { TextField } from "./fields";
import { useLocale } from "./i18n";

type Contacts = { email: boolean; phone: boolean; postal: boolean; emailVerifiedAt: Date | string | null; phoneVerifiedAt: Date | string | null; postalVerifiedAt: Date | string | null };
type Result = { intent?: string; error?: string; held?: string[]; labels?: Record<string, string> } | undefined;

/**
 * Proof of identity still to come (a request recorded by an agent): the code
 * the person reads back, the call-back to a number on record, or the code
 * returned by post.
 */
export function PendingVerificationPanel({ method, result }: { method: string; result: Result }) {
  const adminT = useAdminT();
  const a = adminT;
  const v = a.answers.verify;
  if (method === "callback") {
    const checked = result?.intent === "callback-check" && result.held;
    return (
      <section className="panel" aria-labelledby="callback-title">
        <h2 id="callback-title">{v.callbackTitle}</h2>
        <p>{v.callbackIntro}</p>
        <IntentButton intent="callback-check" label={v.callbackCheck} />
        {checked ? (
          <p role="status" className={checked.length ? "flash" : "error-box"}>
            {checked.length ? v.callbackHeld(checked.map((id) => result.labels?.[id] ?? id).join(", ")) : v.callbackNotHeld}
          </p>
        ) : null}
        {checked && checked.length ? <IntentButton intent="callback-confirm" label={v.callbackConfirm} primary /> : null}
      </section>
    );
  }
  return (
    <section className="panel" aria-labelledby="code-title">
      <h2 id="code-title">{method === "postal" ? v.postalTitle : a.intake.codeTitle}</h2>
      {method === "postal" ? <p>{v.postalIntro}</p> : null}
      <Form method="post">
        <input type="hidden" name="intent" value="caller-code" />
        <TextField
          name="code"
          label={a.intake.codeLabel}
          inputMode="numeric"
          maxLength={6}
          autoComplete="off"
          error={result?.intent === "caller-code" ? (result.error === "code_locked" ? a.intake.codeLocked : a.intake.codeInvalid) : undefined}
        />
        <button type="submit" className="button">
          {a.intake.codeSubmit}
        </button>
      </Form>
      <IntentButton intent="caller-resend" label={a.intake.codeResend} />
    </section>
  );
}

/**
 * Which of the person's contacts are proven. A contact not proven yet can be
 * proven by a code read back (a person seen in person, or one verified with
 * another contact): only then is it searched with or written to.
 */
export function ContactsPanel({ contacts, canAct, result }: { contacts: Contacts; canAct: boolean; result: Result }) {
  const adminT = useAdminT();
  const locale = useLocale();
  const c = adminT.answers.contacts;
  const date = (d: Date | string) => formatLocalDate(new Date(d).toISOString().slice(0, 10), locale);
  const rows = [
    { key: "email" as const, label: c.email, present: contacts.email, at: contacts.emailVerifiedAt },
    { key: "phone" as const, label: c.phone, present: contacts.phone, at: contacts.phoneVerifiedAt },
    { key: "postal" as const, label: c.postal, present: contacts.postal, at: contacts.postalVerifiedAt },
  ].filter((r) => r.present);
  const none = rows.every((r) => !r.at);
  return (
    <section className="panel" aria-labelledby="contacts-title">
      <h2 id="contacts-title">{c.title}</h2>
      <p>{c.intro}</p>
      {none ? (
        <p className="error-box" role="status">
          {c.noProven}
        </p>
      ) : null}
      <ul>
        {rows.map((r) => (
          <li key={r.key} data-contact={r.key} data-proven={r.at ? "yes" : "no"}>
            <strong>{r.label}</strong> — {r.at ? c.proven(date(r.at)) : c.notProven}
            {canAct && !r.at && r.key !== "postal" ? (
              <div className="cta-row">
                <IntentButton intent="contact-code-send" fields={{ via: r.key === "email" ? "email" : "sms" }} label={`${c.sendCode} — ${r.label}`} />
                <Form method="post">
                  <input type="hidden" name="intent" value="contact-code-check" />
                  <input type="hidden" name="via" value={r.key === "email" ? "email" : "sms"} />
                  <TextField
                    name={`code-${r.key}`}
                    label={`${c.codeLabel} (${r.label})`}
                    inputMode="numeric"
                    maxLength={6}
                    autoComplete="off"
                    error={result?.intent === "contact-code-check" && result.error ? adminT.intake.codeInvalid : undefined}
                  />
                  <button type="submit" className="button secondary">
                    {c.codeSubmit}
                  </button>
                </Form>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
