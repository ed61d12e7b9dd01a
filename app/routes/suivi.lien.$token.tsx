import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import * as requests from "../services/requests.server";
import { grantCookie } from "../utils/cookies.server";
import { db } from "../utils/db.server";

/** Trades the emailed link for a short session cookie, then drops the token from the address bar. */
export async function loader({ params }: LoaderFunctionArgs) {
  const requestId = await requests.openStatusLink(db(), params.token ?? "", new Date());
  if (!requestId) return redirect("/suivi/demande?lien=expire", { headers: { "Cache-Control": "no-store" } });
  return redirect("/suivi/demande", { headers: { "Set-Cookie": await grantCookie("follow", requestId), "Cache-Control": "no-store" } });
}
