import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { Form, useActionData } from "@remix-run/react";
import { AdminLayout } from "../components/admin-layout";
import { passSecondFactor, sessionFrom } from "../services/staff.server";
import { db } from "../utils/db.server";
import { clientIp, ctxFrom } from "../web/request.server";
import { sessionToken } from "../web/staff-session.server";
import { formData } from "../web/form.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const state = await sessionFrom(db(), sessionToken(request), new Date());
  if (!state) throw redirect("/admin/connexion");
  if (state.secondFactorDone) throw redirect("/admin");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const token = sessionToken(request);
  if (!token) throw redirect("/admin/connexion");
  const code = String((await formData(request)).get("code") ?? "").trim();
  const result = await passSecondFactor({ ctx: ctxFrom({ kind: "system" }), sessionToken: token, code, ip: clientIp(context) });
  if (!result.ok) return data({ error: result.reason }, { status: result.reason === "throttled" ? 429 : 401 });
  return redirect("/admin");
}

export default function SecondFactor() {
  const adminT = useAdminT();
  const a = adminT.login;
  const result = useActionData<typeof action>();
  return (
    <AdminLayout me={null}>
      <h1>{a.codeTitle}</h1>
      <Form method="post">
        <div className={`field${result?.error ? " has-error" : ""}`}>
          <label htmlFor="code">{a.codeLabel}</label>
          {result?.error ? (
            <p className="field-error" id="code-error" role="alert">
              {result.error === "throttled" ? a.throttled : a.codeInvalid}
            </p>
          ) : null}
          <input id="code" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} aria-required aria-describedby={result?.error ? "code-error" : undefined} autoFocus />
        </div>
        <button type="submit" className="button">
          {a.codeSubmit}
        </button>
      </Form>
    </AdminLayout>
  );
}
