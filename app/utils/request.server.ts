import { data } from "@remix-run/node";
import type { Locale } from "../../db/schema/enums";
import type { Actor, Ctx } from "../services/context";
import { db } from "./db.server";
import { env } from "./env.server";
import { hit, type RateDecision } from "./rate-limit.server";

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

type RateCheck = { bucket: string; subject: string; limit: number };

/**
 * Throws a 429 response when one of the (bucket, subject) pairs is over its
 * hourly limit. All pairs are counted, so probing with many identifiers from
 * one address, or one identifier from many addresses, both hit a wall.
 */
export function enforceRateLimits(ctx: Ctx, checks: RateCheck[], locale: Locale) {
  withinRateLimits(ctx, checks, locale, () => undefined);
}

/**
 * The same check, and `write` in the same transaction when it passes: the
 * counters and what the request writes are one commit (a filing paid for two).
 * A refused hit still counts, so the refusal is thrown after the commit.
 */
export function withinRateLimits<T>(ctx: Ctx, checks: RateCheck[], locale: Locale, write: () => T): T {
  const outcome = ctx.db.transaction((tx): { refused: RateDecision } | { written: T } => {
    for (const c of checks) {
      const decision = hit(tx, c.bucket, c.subject, c.limit, HOUR, ctx.now);
      if (!decision.allowed) return { refused: decision };
    }
    return { written: write() };
  });
  if ("refused" in outcome) {
    throw data(
      { rateLimited: true, locale },
      { status: 429, headers: { "Retry-After": String(outcome.refused.retryAfterSeconds) } },
    );
  }
  return outcome.written;
}

export function limits() {
  const e = env();
  return { filing: e.RATE_LIMIT_FILING_PER_HOUR, verify: e.RATE_LIMIT_VERIFY_PER_HOUR };
}
