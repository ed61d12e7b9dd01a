import type { LoaderFunctionArgs } from "@remix-run/node";
import { readiness } from "../services/readiness.server";
import { connectors } from "../utils/connectors.server";
import { db } from "../utils/db.server";
import { env } from "../utils/env.server";
import { bearerMatches } from "../web/api-auth.server";
import { isLoopback } from "../web/dev-tools.server";
import type { LoadContext } from "../web/request.server";

/**
 * Readiness for load balancers and monitoring (docs/operations.md,
 * "Monitoring"): 503 when the database does not answer, else 200 with
 * "ok" or "degraded". The details (connectors, job counts) go to a caller
 * with `Authorization: Bearer $HEALTH_TOKEN`, or on this machine itself:
 * the socket's peer is loopback and no proxy header says it forwarded
 * someone else's request. Everyone else reads the status alone.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const e = env();
  const report = await readiness({ db, registry: connectors, emailBacklogSeconds: e.READY_EMAIL_BACKLOG_SECONDS });
  const forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"].some((h) => request.headers.has(h));
  const local = isLoopback((context as LoadContext | undefined)?.peerAddress) && !forwarded;
  const details = local || (e.HEALTH_TOKEN !== undefined && bearerMatches(request, e.HEALTH_TOKEN));
  return Response.json(details ? report : { status: report.status }, {
    status: report.status === "down" ? 503 : 200,
    headers: { "Cache-Control": "no-store" },
  });
}
