import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useT } from "../components/i18n";
import { beginTotp, changePassword, confirmTotp, sessionFrom } from "../services/staff.server";
import { db } from "../utils/db.server";
import { requireStaff, sessionToken } from "../utils/staff-session.server";
import { formData } from "../utils/form.server";

export async function loader({ request }: LoaderFunctionArgs) {
  requireStaff(request, { accountPage: true });
  const state = sessionFrom(db(), sessionToken(request), new Date())!;
  return { mustChange: state.row.mustChangePassword, totpOn: state.row.totpEnabled, totpRequired: state.needsTotpSetup };
}

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, token } = requireStaff(request, { accountPage: true });
  const form = await formData(request);
  const intent = form.get("intent");
  if (intent === "password") {
    const r = await changePassword({ ctx, current: String(form.get("current") ?? ""), next: String(form.get("next") ?? "") });
    return r.ok ? { done: "password" as const } : data({ error: r.reason }, { status: 400 });
  }
  if (intent === "totp-begin") return { totp: beginTotp({ ctx }) };
  if (intent === "totp-confirm") {
    const ok = confirmTotp({ ctx, code: String(form.get("code") ?? "").trim(), sessionToken: token });
    return ok ? { done: "totp" as const } : data({ error: "totp_invalid" as const }, { status: 400 });
  }
  return data({ error: "invalid" as const }, { status: 400 });
}

export default function Account() {
  const t = useT();
  const a = t.admin.account;
  const { mustChange, totpOn, totpRequired } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const error = result && "error" in result ? result.error : null;
  return (
    <>
      <h1>{a.title}</h1>
      {mustChange ? <p className="notice">{a.mustChange}</p> : null}
      {result && "done" in result ? (
        <p className="flash" role="status">
          {result.done === "password" ? a.changed : a.totpOn}
        </p>
      ) : null}
      <section className="panel">
        <h2>{a.change}</h2>
        {error === "wrong_password" || error === "too_short" ? (
          <p className="error-box" role="alert">
            {error === "wrong_password" ? a.wrongPassword : a.tooShort}
          </p>
        ) : null}
        <Form method="post">
          <input type="hidden" name="intent" value="password" />
          <div className="field">
            <label htmlFor="current">{a.current}</label>
            <input id="current" name="current" type="password" autoComplete="current-password" aria-required />
          </div>
          <div className="field">
            <label htmlFor="next">{a.next}</label>
            <input id="next" name="next" type="password" autoComplete="new-password" minLength={12} aria-required />
          </div>
          <button type="submit" className="button">
            {a.change}
          </button>
        </Form>
      </section>
      <section className="panel">
        <h2>{a.totpTitle}</h2>
        {totpOn ? <p>{a.totpOn}</p> : null}
        {totpRequired ? <p className="notice">{a.totpRequired}</p> : null}
        {result && "totp" in result && result.totp ? (
          <Form method="post">
            <p>{a.totpScan}</p>
            <p>
              {a.totpKey} : <code>{result.totp.secret}</code>
            </p>
            <input type="hidden" name="intent" value="totp-confirm" />
            <div className="field">
              <label htmlFor="code">{t.admin.login.codeLabel}</label>
              <input id="code" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} aria-required />
            </div>
            <button type="submit" className="button">
              {a.totpConfirm}
            </button>
          </Form>
        ) : !totpOn ? (
          <Form method="post">
            {error === "totp_invalid" ? (
              <p className="error-box" role="alert">
                {a.totpInvalid}
              </p>
            ) : null}
            <input type="hidden" name="intent" value="totp-begin" />
            <button type="submit" className="button secondary">
              {a.totpStart}
            </button>
          </Form>
        ) : null}
      </section>
    </>
  );
}
