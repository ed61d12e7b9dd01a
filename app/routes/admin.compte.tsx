import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { DomainError, httpStatusOf } from "../services/errors";
import { beginTotp, changePassword, confirmTotp, removeTotp, sessionFrom, totpRequiredFor, type TotpResult } from "../services/staff.server";
import { db } from "../utils/db.server";
import { localeFrom } from "../utils/i18n.server";
import { requireStaff, rethrowDomain, sessionToken } from "../web/staff-session.server";
import { formData } from "../web/form.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, { accountPage: true });
  const state = (await sessionFrom(db(), sessionToken(request), new Date()))!;
  return {
    mustChange: state.row.mustChangePassword,
    totpOn: state.row.totpEnabled,
    totpRequired: state.needsTotpSetup,
    totpRemovable: state.row.totpEnabled && !totpRequiredFor(state.row),
  };
}

/** Refusals of a factor change: what to say, and the status (a lockout is 429, like the sign-in page's). */
function totpAnswer(r: TotpResult) {
  if (r.ok) return { done: r.change };
  return data({ error: r.reason, form: "totp" as const }, { status: r.reason === "throttled" ? 429 : 400 });
}

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, token } = await requireStaff(request, { accountPage: true });
  const form = await formData(request);
  const field = (name: string) => String(form.get(name) ?? "").trim();
  const intent = form.get("intent");
  const proof = { password: String(form.get("password") ?? ""), currentCode: field("currentCode"), sessionToken: token, locale: localeFrom(request) };
  try {
    if (intent === "password") {
      const r = await changePassword({ ctx, current: String(form.get("current") ?? ""), next: String(form.get("next") ?? ""), sessionToken: token, locale: proof.locale });
      return r.ok ? { done: "password" as const } : data({ error: r.reason, form: "password" as const }, { status: r.reason === "throttled" ? 429 : 400 });
    }
    if (intent === "totp-begin") return { totp: beginTotp({ ctx }) };
    if (intent === "totp-confirm") return totpAnswer(await confirmTotp({ ctx, pending: field("pending"), code: field("code"), ...proof }));
    if (intent === "totp-remove") return totpAnswer(await removeTotp({ ctx, ...proof }));
  } catch (error) {
    if (error instanceof DomainError && error.code === "forbidden" && error.detail.code === "totp_required") return data({ error: "totp_required" as const, form: "totp" as const }, { status: httpStatusOf(error.code) });
    rethrowDomain(error);
  }
  return data({ error: "invalid" as const, form: "totp" as const }, { status: 400 });
}

export default function Account() {
  const adminT = useAdminT();
  const a = adminT.account;
  const { mustChange, totpOn, totpRequired, totpRemovable } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const error = result && "error" in result && result.form === "totp" ? result.error : null;
  const passwordError = result && "error" in result && result.form === "password" ? result.error : null;
  const done = result && "done" in result ? result.done : null;
  const totpError =
    error === "totp_invalid"
      ? a.totpInvalid
      : error === "reauth_missing"
        ? a.reauthMissing
        : error === "wrong_password"
          ? a.wrongPassword
          : error === "current_code_invalid"
            ? a.currentCodeInvalid
            : error === "pending_expired"
              ? a.pendingExpired
              : error === "throttled"
                ? adminT.login.throttled
                : error === "totp_required"
                  ? a.totpCannotRemove
                  : null;
  const proofFields = (
    <>
      <p>{a.totpProof}</p>
      <div className="field">
        <label htmlFor="totp-password">{a.current}</label>
        <input id="totp-password" name="password" type="password" autoComplete="current-password" aria-required />
      </div>
      {totpOn ? (
        <div className="field">
          <label htmlFor="currentCode">{a.totpCurrentCode}</label>
          <input id="currentCode" name="currentCode" inputMode="numeric" autoComplete="one-time-code" maxLength={6} aria-required />
        </div>
      ) : null}
    </>
  );
  return (
    <>
      <h1>{a.title}</h1>
      {mustChange ? <p className="notice">{a.mustChange}</p> : null}
      {done ? (
        <p className="flash" role="status">
          {done === "password" ? a.changed : done === "enabled" ? a.totpEnabled : done === "replaced" ? a.totpChanged : a.totpRemoved}
        </p>
      ) : null}
      <section className="panel">
        <h2>{a.change}</h2>
        {passwordError ? (
          <p className="error-box" role="alert">
            {passwordError === "wrong_password"
              ? a.wrongPassword
              : passwordError === "reauth_missing"
                ? a.currentMissing
                : passwordError === "throttled"
                  ? adminT.login.throttled
                  : a.tooShort}
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
        {totpError ? (
          <p className="error-box" role="alert">
            {totpError}
          </p>
        ) : null}
        {result && "totp" in result && result.totp ? (
          <Form method="post">
            <p>{a.totpScan}</p>
            <p>
              {a.totpKey} : <code>{result.totp.secret}</code>
            </p>
            <input type="hidden" name="intent" value="totp-confirm" />
            <input type="hidden" name="pending" value={result.totp.pending} />
            <div className="field">
              <label htmlFor="code">{a.totpNewCode}</label>
              <input id="code" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} aria-required />
            </div>
            {proofFields}
            <button type="submit" className="button">
              {a.totpConfirm}
            </button>
          </Form>
        ) : (
          <>
            <Form method="post">
              <input type="hidden" name="intent" value="totp-begin" />
              {totpOn ? <p>{a.totpChangeHint}</p> : null}
              <button type="submit" className="button secondary">
                {totpOn ? a.totpChange : a.totpStart}
              </button>
            </Form>
            {totpRemovable ? (
              <Form method="post">
                <h3>{a.totpRemove}</h3>
                <input type="hidden" name="intent" value="totp-remove" />
                {proofFields}
                <button type="submit" className="button secondary">
                  {a.totpRemove}
                </button>
              </Form>
            ) : totpOn ? (
              <p>{a.totpCannotRemove}</p>
            ) : null}
          </>
        )}
      </section>
    </>
  );
}
