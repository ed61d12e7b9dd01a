import type { LoaderFunctionArgs } from "@remix-run/node";
import { letterFor } from "../services/letters.server";
import { grantedRequest } from "../utils/cookies.server";
import { db } from "../utils/db.server";

/**
 * One of our letters to the requester, behind the same follow-up session as
 * the status page: what an SMS points to, and what a posted letter said. A
 * standalone page that prints cleanly.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = await grantedRequest(request, "follow");
  const letterId = Number(params.id);
  const letter = id && Number.isSafeInteger(letterId) && letterId > 0 ? letterFor(db(), id, letterId) : null;
  if (!letter) return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
  return new Response(letter.html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      // The letter is a document of ours, not an app page: nothing in it runs.
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    },
  });
}
