import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { isLocale } from "../i18n";
import { LANG_COOKIE, serializeCookie } from "../utils/cookies.server";

/** The language switch: a plain link, so it works without JavaScript. Only local paths are followed back. */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const to = url.searchParams.get("to");
  const back = url.searchParams.get("back") ?? "/";
  const safeBack = /^\/(?![/\\])[\w\-/.]*$/.test(back) ? back : "/";
  if (!isLocale(to)) return redirect(safeBack);
  return redirect(safeBack, { headers: { "Set-Cookie": serializeCookie(LANG_COOKIE.name, to, LANG_COOKIE.ttl) } });
}
