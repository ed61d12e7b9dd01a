import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportHashes } from "../services/suppression.server";
import { apiRefusal, suppressionApiAuth } from "../web/api-auth.server";
import { db } from "../utils/db.server";

/** GET /api/suppression/export — the suppression list as CSV (kind,hash,added_at), hashes only. Same bearer token as /check. */
export async function loader({ request }: LoaderFunctionArgs) {
  const auth = suppressionApiAuth(request);
  if (auth !== "ok") return apiRefusal(auth);
  const { csv } = await exportHashes({ ctx: { db: db(), now: new Date(), actor: { kind: "system" } }, via: "api" });
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="suppression-list.csv"',
      "Cache-Control": "no-store",
    },
  });
}
