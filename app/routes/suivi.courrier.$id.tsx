import type { LoaderFunctionArgs } from "@remix-run/node";
import { letterFor } from "../services/letters.server";
import { grantedRequest } from "../utils/cookies.server";
import { db } from "../utils/db.server";
import { documentNotFound, documentResponse } from "../utils/documents";

/**
 * One of our letters to the requester, behind the same follow-up session as
 * the status page: what an SMS points to, and what a posted letter said. A
 * standalone page that prints cleanly.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = await grantedRequest(request, "follow");
  const letterId = Number(params.id);
  const letter = id && Number.isSafeInteger(letterId) && letterId > 0 ? (await letterFor(db(), id, letterId)) : null;
  if (!letter) return documentNotFound();
  return documentResponse(letter.html);
}
