import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { pageTitle } from "../utils/meta";
import { useT } from "../components/i18n";
import * as requests from "../services/requests.server";
import { clearCookie, grantCookie } from "../utils/cookies.server";
import { db } from "../utils/db.server";
import { localeFrom } from "../utils/i18n.server";
import { clientIp, ctxFrom, enforceRateLimits, limits } from "../web/request.server";
import { passThroughHeaders } from "../utils/headers";

export const meta = pageTitle((t) => t.verify.title);

/**
 * GET only shows a button: link scanners in mail systems open links, and a
 * single-use token must not be spent by a robot (ADR 0002).
 */
export async function loader({ params }: LoaderFunctionArgs) {
  const usable = await requests.emailLinkIsUsable(db(), params.token ?? "", new Date());
  return data({ usable }, { status: usable ? 200 : 400, headers: { "Cache-Control": "no-store" } });
}

export const headers = passThroughHeaders;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const ctx = ctxFrom();
  await enforceRateLimits(ctx, [{ bucket: "verify:ip", subject: clientIp(context), limit: limits().verify }], localeFrom(request));
  const result = await requests.verifyEmailLink({ ctx, token: params.token ?? "" });
  if (!result.ok) return data({ usable: false }, { status: 400 });
  const headers = new Headers();
  headers.append("Set-Cookie", clearCookie("pending"));
  headers.append("Set-Cookie", await grantCookie("follow", result.id));
  return redirect("/suivi/demande?confirmee=1", { headers });
}

export default function VerifyEmail() {
  const t = useT();
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const usable = acted ? acted.usable : loaded.usable;
  if (!usable) {
    return (
      <>
        <h1>{t.verify.invalidTitle}</h1>
        <p role="alert">{t.verify.invalid}</p>
        <p>
          <a href="/suivi">{t.layout.nav.follow}</a> · <a href="/demande">{t.layout.nav.file}</a>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>{t.verify.title}</h1>
      <p>{t.verify.explain}</p>
      <Form method="post">
        <button type="submit" className="button">
          {t.verify.button}
        </button>
      </Form>
    </>
  );
}
