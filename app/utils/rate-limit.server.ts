import { sql } from "drizzle-orm";
import { keyedHash } from "./crypto.server";
import { rateLimits } from "../../db/schema/rate-limits";
import { preparedQuery, type DbOrTx, first, rawRun, rawGet } from "./db.server";

export type RateDecision = { allowed: boolean; retryAfterSeconds: number };

/**
 * Fixed-window counter stored in the database, so limits hold across
 * restarts and processes. The key is a keyed hash: the table never holds an
 * IP address, an email or a phone number.
 */
export async function hit(db: DbOrTx, bucket: string, subject: string, limit: number, windowMs: number, now: Date): Promise<RateDecision> {
  const key = keyedHash("rate-limit", `${bucket}\0${subject}`);
  const nowMs = now.getTime();
  const staleBefore = nowMs - windowMs;
  const row = (await first(countHit(db).execute({ key, nowMs, staleBefore })))!!;
  const allowed = row.count <= limit;
  return { allowed, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((row.windowStart + windowMs - nowMs) / 1000)) };
}
// Raw numbers in and out (the window start is compared in milliseconds).
const countHit = preparedQuery((db) => {
  const [key, nowMs, staleBefore] = [sql.placeholder("key"), sql.placeholder("nowMs"), sql.placeholder("staleBefore")];
  return db
    .insert(rateLimits)
    .values({ key, windowStart: sql`${nowMs}`, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${rateLimits.windowStart} <= ${staleBefore} THEN 1 ELSE ${rateLimits.count} + 1 END`,
        windowStart: sql`CASE WHEN ${rateLimits.windowStart} <= ${staleBefore} THEN ${nowMs} ELSE ${rateLimits.windowStart} END`,
      },
    })
    .returning({ count: rateLimits.count, windowStart: sql<number>`${rateLimits.windowStart}` })
    .prepare();
});

export async function purgeExpired(db: DbOrTx, olderThan: Date) {
  await rawRun(db, sql`DELETE FROM rate_limits WHERE window_start < ${olderThan.getTime()}`);
}

/** How many hits a (bucket, subject) has in its current window, without adding one. */
export async function current(db: DbOrTx, bucket: string, subject: string, windowMs: number, now: Date): Promise<number> {
  const key = keyedHash("rate-limit", `${bucket}\0${subject}`);
  const row = await rawGet<{ count: number; window_start: number }>(db, sql`SELECT count, window_start FROM rate_limits WHERE key = ${key}`);
  if (!row || row.window_start <= now.getTime() - windowMs) return 0;
  return row.count;
}
