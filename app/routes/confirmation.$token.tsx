import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { pageTitle } from "../utils/meta";
import { useT } from "../components/i18n";
import { confirmSubjectLink, subjectLinkIsUsable } from "../services/mandates.server";
import { db } from "../utils/db.server";
import { localeFrom } from "../utils/i18n.server";
import { clientIp, ctxFrom, enforceRateLimits, limits } from "../web/request.server";
import { passThroughHeaders } from "../utils/headers";

export const meta = pageTitle((t) => t.subjectConfirm.title);

/**
 * The represented person confirms that the address (or number) the
 * representative gave is theirs: only then is it searched. GET shows a
 * button, so a mail scanner opening the link confirms nothing.
 */
export async function loader({ params }: LoaderFunctionArgs) {
  const usable = await subjectLinkIsUsable(db(), params.token ?? "", new Date());
  return data({ usable, done: false }, { status: usable ? 200 : 400, headers: { "Cache-Control": "no-store" } });
}

export const headers = passThroughHeaders;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const ctx = ctxFrom();
  await enforceRateLimits(ctx, [{ bucket: "verify:ip", subject: clientIp(context), limit: limits().verify }], localeFrom(request));
  const result = await confirmSubjectLink({ ctx, token: params.token ?? "" });
  return data({ usable: result.ok, done: result.ok }, { status: result.ok ? 200 : 400, headers: { "Cache-Control": "no-store" } });
}

export default function ConfirmSubject() {
  const t = useT();
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const state = acted ?? loaded;
  if (state.done) {
    return (
      <>
        <h1>{t.subjectConfirm.doneTitle}</h1>
        <p role="status">{t.subjectConfirm.done}</p>
      </>
    );
  }
  if (!state.usable) {
    return (
      <>
        <h1>{t.verify.invalidTitle}</h1>
        <p role="alert">{t.subjectConfirm.invalid}</p>
      </>
    );
  }
  return (
    <>
      <h1>{t.subjectConfirm.title}</h1>
      <p>{t.subjectConfirm.explain}</p>
      <Form method="post">
        <button type="submit" className="button">
          {t.subjectConfirm.button}
        </button>
      </Form>
      <p>{t.subjectConfirm.notMe}</p>
    </>
  );
}
