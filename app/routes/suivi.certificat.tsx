import type { LoaderFunctionArgs } from "@remix-run/node";
import { certificateFor } from "../services/erasure.server";
import { grantedRequest } from "../utils/cookies.server";
import { db } from "../utils/db.server";

/** The requester's certificate of erasure, behind the same follow-up session as the status page. */
export async function loader({ request }: LoaderFunctionArgs) {
  const id = await grantedRequest(request, "follow");
  const cert = id ? certificateFor(db(), id) : null;
  if (!cert) return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
  return new Response(cert.html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Disposition": 'attachment; filename="certificat-effacement.html"',
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
