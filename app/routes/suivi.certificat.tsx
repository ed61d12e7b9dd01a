import type { LoaderFunctionArgs } from "@remix-run/node";
import { certificateFor } from "../services/erasure.server";
import { grantedRequest } from "../utils/cookies.server";
import { db } from "../utils/db.server";
import { documentNotFound, documentResponse } from "../utils/documents";

/** The requester's certificate of erasure, behind the same follow-up session as the status page. */
export async function loader({ request }: LoaderFunctionArgs) {
  const id = await grantedRequest(request, "follow");
  const cert = id ? (await certificateFor(db(), id)) : null;
  if (!cert) return documentNotFound();
  return documentResponse(cert.html, { download: "certificat-effacement.html" });
}
