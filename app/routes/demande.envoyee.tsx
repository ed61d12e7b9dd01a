import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { pageTitle } from "../utils/meta";
import { useT } from "../components/i18n";
import * as requests from "../services/requests.server";
import { clearClaimCookie, clearCookie, followUpClaim, grantCookie, grantedRequest } from "../utils/cookies.server";
import { env } from "../utils/env.server";
import { db } from "../utils/db.server";
import { localeFrom } from "../utils/i18n.server";
import { clientIp, ctxFrom, enforceRateLimits, limits } from "../web/request.server";
import { passThroughHeaders } from "../utils/headers";
import { formData } from "../web/form.server";

export const meta = pageTitle((t) => t.filed.title);

export async function loader({ request }: LoaderFunctionArgs) {
  const id = await grantedRequest(request, "pending");
  const pending = id ? (await requests.pendingView(db(), id)) : null;
  // Another browser reaches the code form only through the follow-up form (/suivi), which leaves a claim.
  const followUp = !pending && (await followUpClaim(request)) !== null;
  return { pending, followUp, lockoutMinutes: env().SMS_LOCKOUT_MINUTES };
}

const CodeForm = z.object({
  intent: z.enum(["verify", "resend"]),
  code: z.string().trim().max(20).optional(),
});

export const headers = passThroughHeaders;

type Refusal = { error: "format" | "invalid" | "locked" | "no_session"; attemptsLeft: number };
const refuse = (error: Refusal["error"], attemptsLeft = 0) => data<Refusal>({ error, attemptsLeft }, { status: 400 });

/**
 * Codes are tried, and new ones asked for, only by the browser that filed
 * (its signed pending cookie) or one that went through the follow-up form
 * with the reference and the phone (its claim cookie). A reference typed
 * here is not enough: references are sequential, and a stranger could lock
 * someone's code or send them texts.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const locale = localeFrom(request);
  const parsed = CodeForm.safeParse(Object.fromEntries(await formData(request)));
  if (!parsed.success) return refuse("format");
  const ctx = ctxFrom();
  await enforceRateLimits(ctx, [{ bucket: "verify:ip", subject: clientIp(context), limit: limits().verify }], locale);
  const code = parsed.data.code ?? "";
  const requestId = await grantedRequest(request, "pending");
  if (requestId) {
    if (parsed.data.intent === "resend") {
      const outcome = await requests.resendSmsCode({ ctx, requestId });
      if (!outcome.sent && outcome.reason !== "not_applicable") {
        return data({ wait: Math.max(1, Math.ceil(outcome.retryAfterSeconds / 60)) }, { status: 429, headers: { "Retry-After": String(outcome.retryAfterSeconds) } });
      }
      return { resent: true as const };
    }
    if (!/^\d{6}$/.test(code)) return refuse("format");
    const result = await requests.verifySmsCode({ ctx, requestId, code });
    if (!result.ok) return refuse(result.reason, result.attemptsLeft);
    return confirmed(result.id, "pending");
  }
  const claim = await followUpClaim(request);
  if (claim && parsed.data.intent === "resend") {
    await requests.resendSmsCodeByClaim({ ctx, claim });
    // The same answer whether or not the reference and phone matched.
    return { resent: true as const };
  }
  if (claim && parsed.data.intent === "verify") {
    if (!/^\d{6}$/.test(code)) return refuse("format");
    const result = await requests.verifySmsCodeByClaim({ ctx, claim, code });
    if (!result.ok) return refuse(result.reason, result.attemptsLeft);
    return confirmed(result.id, "claim");
  }
  // Neither: nothing is looked up, counted or sent.
  return refuse("no_session");
}

async function confirmed(requestId: number, via: "pending" | "claim") {
  const headers = new Headers();
  headers.append("Set-Cookie", via === "pending" ? clearCookie("pending") : clearClaimCookie());
  headers.append("Set-Cookie", await grantCookie("follow", requestId));
  return redirect("/suivi/demande?confirmee=1", { headers });
}

export default function Filed() {
  const t = useT();
  const { pending, followUp, lockoutMinutes } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const error = result && "error" in result ? result : null;
  const showCode = pending ? pending.verificationMethod === "sms" : followUp;
  const errorText = (e: Refusal) =>
    e.error === "format"
      ? t.verify.codeFormat
      : e.error === "locked"
        ? t.verify.codeLockedWait(lockoutMinutes)
        : e.error === "no_session"
          ? t.verify.noPending
          : `${t.verify.codeInvalid} ${t.verify.codeAttempts(e.attemptsLeft)}`;
  return (
    <>
      <h1>{pending ? t.filed.title : t.verify.title}</h1>
      {pending ? (
        <>
          <p>
            {t.filed.reference} <span className="reference">{pending.reference}</span>
          </p>
          <p>{t.filed.keep}</p>
          <p className="notice">{pending.verificationMethod === "email" ? t.filed.checkEmail : t.filed.checkSms}</p>
          <p>{t.filed.paused}</p>
        </>
      ) : followUp ? (
        <p className="notice">{t.verify.followUpIntro}</p>
      ) : (
        <p className="notice">
          {t.verify.noPending} <a href="/suivi">{t.layout.nav.follow}</a>
        </p>
      )}
      {showCode ? (
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="verify" />
          <div className={`field${error ? " has-error" : ""}`}>
            <label htmlFor="code">{t.filed.codeLabel}</label>
            {error ? (
              <p id="code-error" className="field-error" role="alert">
                {errorText(error)}
              </p>
            ) : null}
            <input
              id="code"
              name="code"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              aria-required
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "code-error" : undefined}
              autoFocus={Boolean(error)}
            />
          </div>
          <button type="submit" className="button">
            {t.filed.codeSubmit}
          </button>
        </Form>
      ) : error && error.error !== "no_session" ? (
        <p className="field-error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      {showCode ? (
        <Form method="post">
          <input type="hidden" name="intent" value="resend" />
          {result && "resent" in result ? <p role="status">{pending ? t.filed.resent : t.filed.resentFollowUp}</p> : null}
          {result && "wait" in result ? <p role="alert">{t.filed.resendWait(result.wait)}</p> : null}
          <p>
            <button type="submit" className="button secondary">
              {t.filed.resend}
            </button>
          </p>
        </Form>
      ) : null}
      {followUp ? (
        <p>
          <a href="/suivi">{t.verify.followUpLink}</a>
        </p>
      ) : null}
      {showCode ? (
        <>
          <h2>{t.filed.smsAdviceTitle}</h2>
          <ul className="hint">
            {pending?.phoneEnd ? <li>{t.filed.smsCheckNumber(pending.phoneEnd)}</li> : null}
            <li>{t.filed.smsDelay}</li>
            <li>{t.filed.smsNewCode}</li>
          </ul>
          <p className="hint">
            {t.filed.smsWrongNumber} <a href="/demande">{t.filed.fileAgain}</a>
          </p>
        </>
      ) : (
        <p className="hint">
          {t.filed.notReceived} <a href="/demande">{t.filed.fileAgain}</a>
        </p>
      )}
    </>
  );
}
