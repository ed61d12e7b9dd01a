import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { pageTitle } from "../utils/meta";
import { useT } from "../components/i18n";
import * as requests from "../services/requests.server";
import { clearCookie, grantCookie, grantedRequest } from "../utils/cookies.server";
import { db } from "../utils/db.server";
import { localeFrom } from "../utils/i18n.server";
import { clientIp, ctxFrom, enforceRateLimits, limits } from "../utils/request.server";
import { passThroughHeaders } from "../utils/headers";
import { formData } from "../utils/form.server";

export const meta = pageTitle((t) => t.filed.title);

export async function loader({ request }: LoaderFunctionArgs) {
  const id = await grantedRequest(request, "pending");
  const pending = id ? requests.pendingView(db(), id) : null;
  return { pending };
}

const CodeForm = z.object({
  intent: z.enum(["verify", "resend"]),
  code: z.string().trim().max(20).optional(),
  reference: z.string().trim().toUpperCase().max(20).optional(),
});

export const headers = passThroughHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const locale = localeFrom(request);
  const parsed = CodeForm.safeParse(Object.fromEntries(await formData(request)));
  if (!parsed.success) return data({ error: "format" as const, attemptsLeft: 0 }, { status: 400 });
  const ctx = ctxFrom();
  enforceRateLimits(ctx, [{ bucket: "verify:ip", subject: clientIp(context), limit: limits().verify }], locale);
  // The browser that filed holds a signed cookie; another device names the reference.
  let requestId = await grantedRequest(request, "pending");
  if (!requestId && parsed.data.reference) requestId = requests.findByReference(ctx.db, parsed.data.reference)?.id ?? null;
  if (parsed.data.intent === "resend") {
    if (requestId) {
      enforceRateLimits(ctx, [{ bucket: "sms:resend", subject: String(requestId), limit: 3 }], locale);
      requests.resendSmsCode({ ctx, requestId });
    }
    return { resent: true as const };
  }
  const code = parsed.data.code ?? "";
  if (!/^\d{6}$/.test(code)) return data({ error: "format" as const, attemptsLeft: 0 }, { status: 400 });
  if (!requestId) return data({ error: "invalid" as const, attemptsLeft: 0 }, { status: 400 });
  const result = requests.verifySmsCode({ ctx, requestId, code });
  if (!result.ok) return data({ error: result.reason, attemptsLeft: result.attemptsLeft }, { status: 400 });
  const headers = new Headers();
  headers.append("Set-Cookie", clearCookie("pending"));
  headers.append("Set-Cookie", await grantCookie("follow", result.id));
  return redirect("/suivi/demande?confirmee=1", { headers });
}

export default function Filed() {
  const t = useT();
  const { pending } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const error = result && "error" in result ? result : null;
  const showCode = !pending || pending.verificationMethod === "sms";
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
      ) : (
        <p className="notice">{t.verify.noPending}</p>
      )}
      {showCode ? (
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="verify" />
          {!pending ? (
            <div className="field">
              <label htmlFor="reference">{t.filed.referenceLabel}</label>
              <input id="reference" name="reference" type="text" autoComplete="off" aria-required />
            </div>
          ) : null}
          <div className={`field${error ? " has-error" : ""}`}>
            <label htmlFor="code">{t.filed.codeLabel}</label>
            {error ? (
              <p id="code-error" className="field-error" role="alert">
                {error.error === "format" ? t.verify.codeFormat : error.error === "locked" ? t.verify.codeLocked : `${t.verify.codeInvalid} ${t.verify.codeAttempts(error.attemptsLeft)}`}
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
      ) : null}
      {pending?.verificationMethod === "sms" ? (
        <Form method="post">
          <input type="hidden" name="intent" value="resend" />
          {result && "resent" in result ? <p role="status">{t.filed.resent}</p> : null}
          <p>
            <button type="submit" className="button secondary">
              {t.filed.resend}
            </button>
          </p>
        </Form>
      ) : null}
      <p className="hint">
        {t.filed.notReceived} <a href="/demande">{t.filed.fileAgain}</a>
      </p>
    </>
  );
}
