import { sql } from "drizzle-orm";
import { keyedHash } from "./crypto.server";
import type { DbOrTx } from "./db.server";

export type RateDecision = { allowed: boolean; retryAfterSeconds: number };

/**
 * Fixed-window counter stored in the database, so limits hold across
 * restarts and processes. The key is a keyed hash: the table never holds an
 * IP address, an email or a phone number.
 */
export function hit(db: DbOrTx, bucket: string, subject: string, limit: number, windowMs: number, now: Date): RateDecision {
  const key = keyedHash("rate-limit", `${bucket}\0${subject}`);
  const nowMs = now.getTime();
  const staleBefore = nowMs - windowMs;
  const row = db.get<{ count: number; window_start: number }>(sql`
    INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, ${nowMs}, 1)
    ON CONFLICT(key) DO UPDATE SET
      count = CASE WHEN window_start <= ${staleBefore} THEN 1 ELSE count + 1 END,
      window_start = CASE WHEN window_start <= ${staleBefore} THEN ${nowMs} ELSE window_start END
    RETURNING count, window_start`);
  const allowed = row.count <= limit;
  return { allowed, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((row.window_start + windowMs - nowMs) / 1000)) };
}

export function purgeExpired(db: DbOrTx, olderThan: Date) {
  db.run(sql`DELETE FROM rate_limits WHERE window_start < ${olderThan.getTime()}`);
}

/** How many hits a (bucket, subject) has in its current window, without adding one. */
export function current(db: DbOrTx, bucket: string, subject: string, windowMs: number, now: Date): number {
  const key = keyedHash("rate-limit", `${bucket}\0${subject}`);
  const row = db.get<{ count: number; window_start: number } | undefined>(sql`SELECT count, window_start FROM rate_limits WHERE key = ${key}`);
  if (!row || row.window_start <= now.getTime() - windowMs) return 0;
  return row.count;
}
