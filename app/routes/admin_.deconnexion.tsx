import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { logout, sessionFrom } from "../services/staff.server";
import { db } from "../utils/db.server";
import { ctxFrom } from "../web/request.server";
import { clearSessionCookie, sessionToken } from "../web/staff-session.server";

/** Deletes the server-side session: the old cookie is worthless afterwards. */
export async function action({ request }: ActionFunctionArgs) {
  const token = sessionToken(request);
  const state = await sessionFrom(db(), token, new Date());
  await logout({ ctx: ctxFrom(state?.actor ?? { kind: "system" }), token });
  return redirect("/admin/connexion", { headers: { "Set-Cookie": clearSessionCookie() } });
}

export async function loader() {
  return redirect("/admin");
}
