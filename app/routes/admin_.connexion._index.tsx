import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { Form, useActionData } from "@remix-run/react";
import { AdminLayout } from "../components/admin-layout";
import { TextField } from "../components/fields";
import { login, sessionFrom } from "../services/staff.server";
import { db } from "../utils/db.server";
import { clientIp, ctxFrom } from "../web/request.server";
import { sessionCookie, sessionToken } from "../web/staff-session.server";
import { formData } from "../web/form.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const state = await sessionFrom(db(), sessionToken(request), new Date());
  if (state) throw redirect(state.secondFactorDone ? "/admin" : "/admin/connexion/code");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await formData(request);
  const email = String(form.get("email") ?? "");
  const password = String(form.get("password") ?? "");
  const result = await login({ ctx: ctxFrom({ kind: "system" }), email, password, ip: clientIp(context) });
  if (!result.ok) return data({ error: result.reason, email: email.slice(0, 254) }, { status: result.reason === "throttled" ? 429 : 401 });
  const next = result.needsSecondFactor ? "/admin/connexion/code" : result.mustChangePassword ? "/admin/compte" : "/admin";
  return redirect(next, { headers: { "Set-Cookie": sessionCookie(result.sessionToken) } });
}

export default function StaffLogin() {
  const adminT = useAdminT();
  const a = adminT.login;
  const result = useActionData<typeof action>();
  return (
    <AdminLayout me={null}>
      <h1>{a.title}</h1>
      {result?.error ? (
        <p className="error-box" role="alert">
          {result.error === "throttled" ? a.throttled : a.invalid}
        </p>
      ) : null}
      <Form method="post">
        <TextField name="email" type="email" label={a.email} autoComplete="username" defaultValue={result?.email} required autoFocus />
        <div className="field">
          <label htmlFor="password">{a.password}</label>
          <input id="password" name="password" type="password" autoComplete="current-password" aria-required />
        </div>
        <button type="submit" className="button">
          {a.submit}
        </button>
      </Form>
    </AdminLayout>
  );
}
