import { sql } from "drizzle-orm";
import { pendingCount } from "../services/outbox.server";
import { db, rawGet } from "../utils/db.server";

/** For load balancers and operators: the database answers, and how much mail is waiting. */
export async function loader() {
  await rawGet(db(), sql`SELECT 1`);
  return Response.json({ ok: true, outboxPending: await pendingCount(db()) }, { headers: { "Cache-Control": "no-store" } });
}
