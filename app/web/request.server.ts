import { data } from "@remix-run/node";
import type { Locale } from "../../db/schema/enums";
import type { Actor, Ctx } from "../services/context";
import { db, groupCommit, withTx } from "../utils/db.server";
import { env } from "../utils/env.server";
import { hit, type RateDecision } from "../utils/rate-limit.server";

/** What the HTTP server hands to loaders and actions (see app/web/http.server.ts). */
export type LoadContext = {
  /** the client's address, from X-Forwarded-For when TRUST_PROXY=1: for rate limits */
  clientIp?: string;
  /** the socket's own peer, whatever headers say: for what only this machine may see */
  peerAddress?: string;
};

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
export async function enforceRateLimits(ctx: Ctx, checks: RateCheck[], locale: Locale) {
  const outcome = await countThenWrite(ctx, checks, async () => undefined);
  if ("refused" in outcome) tooMany(outcome.refused, locale);
}

/**
 * The same check, then `write` when it passes, in one transaction: the
 * counters and what the request writes are one commit, shared with the other
 * requests of the moment (groupCommit). A refused hit still counts: the
 * refusal is returned from the transaction, and thrown once it is committed.
 */
export async function withinRateLimits<T>(ctx: Ctx, checks: RateCheck[], locale: Locale, write: () => Promise<T>): Promise<T> {
  const outcome = await groupCommit(ctx.db, async () => await countThenWrite(ctx, checks, write));
  if ("refused" in outcome) tooMany(outcome.refused, locale);
  return outcome.written;
}

async function countThenWrite<T>(ctx: Ctx, checks: RateCheck[], write: () => Promise<T>): Promise<{ refused: RateDecision } | { written: T }> {
  return await withTx(ctx, async (tx) => {
    for (const c of checks) {
      const decision = await hit(tx, c.bucket, c.subject, c.limit, HOUR, ctx.now);
      if (!decision.allowed) return { refused: decision };
    }
    return { written: await write() };
  });
}

function tooMany(refused: RateDecision, locale: Locale): never {
  throw data({ rateLimited: true, locale }, { status: 429, headers: { "Retry-After": String(refused.retryAfterSeconds) } });
}

export function limits() {
  const e = env();
  return { filing: e.RATE_LIMIT_FILING_PER_HOUR, verify: e.RATE_LIMIT_VERIFY_PER_HOUR };
}
