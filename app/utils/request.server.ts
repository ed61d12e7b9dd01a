import { data } from "@remix-run/node";
import type { Locale } from "../../db/schema/enums";
import type { Actor, Ctx } from "../services/context";
import { db } from "./db.server";
import { env } from "./env.server";
import { hit } from "./rate-limit.server";

/** What the HTTP server hands to loaders and actions (see app/http.server.ts). */
export type LoadContext = { clientIp?: string };

export function ctxFrom(actor: Actor = { kind: "requester" }): Ctx {
  return { db: db(), now: new Date(), actor };
}

export function clientIp(context: unknown): string {
  const ip = (context as LoadContext | undefined)?.clientIp;
  return ip && ip.length < 64 ? ip : "unknown";
}

const HOUR = 3_600_000;

/**
 * Throws a 429 response when one of the (bucket, subject) pairs is over its
 * hourly limit. All pairs are counted, so probing with many identifiers from
 * one address, or one identifier from many addresses, both hit a wall.
 */
export function enforceRateLimits(ctx: Ctx, checks: { bucket: string; subject: string; limit: number }[], locale: Locale) {
  // One commit for all the counters (they were one each); a refused hit still counts, so the refusal is thrown after.
  const refused = ctx.db.transaction((tx) => {
    for (const c of checks) {
      const decision = hit(tx, c.bucket, c.subject, c.limit, HOUR, ctx.now);
      if (!decision.allowed) return decision;
    }
    return null;
  });
  if (refused) {
    throw data(
      { rateLimited: true, locale },
      { status: 429, headers: { "Retry-After": String(refused.retryAfterSeconds) } },
    );
  }
}

export function limits() {
  const e = env();
  return { filing: e.RATE_LIMIT_FILING_PER_HOUR, verify: e.RATE_LIMIT_VERIFY_PER_HOUR };
}
