import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { timingSafeEqual } from "node:crypto";
import { verificationTokens, type TokenPurpose, type VerificationToken } from "../../db/schema/verification";
import { keyedHash, randomCode, randomToken } from "../utils/crypto.server";
import { changes, insertRow, type DbOrTx, first } from "../utils/db.server";
import { DomainError } from "./errors";
import { env } from "../utils/env.server";

/**
 * Secrets handed to requesters (ADR 0002): opaque random tokens, stored as a
 * keyed hash, with an expiry and a used-at stamp. A forged, reused or expired
 * token finds nothing usable and changes nothing.
 */
const HOUR = 3_600_000;

function ttlMs(purpose: TokenPurpose): number {
  const e = env();
  if (purpose === "email_link") return e.VERIFICATION_LINK_TTL_HOURS * HOUR;
  if (purpose === "sms_code" || purpose === "email_code") return e.SMS_CODE_TTL_MINUTES * 60_000;
  // A letter takes days to arrive and days to come back.
  if (purpose === "postal_code") return 30 * 24 * HOUR;
  if (purpose === "subject_link") return e.VERIFICATION_LINK_TTL_HOURS * 7 * HOUR;
  // A download needs a fresh proof of control of the mailbox or phone.
  if (purpose === "download_link") return 30 * 60_000;
  return e.STATUS_LINK_TTL_DAYS * 24 * HOUR;
}

export type LinkPurpose = "email_link" | "status_link" | "reply_link" | "download_link" | "subject_link";
export type CodePurpose = "sms_code" | "email_code" | "postal_code";

export async function issueLink(tx: DbOrTx, requestId: number, purpose: LinkPurpose, now: Date): Promise<string> {
  const token = randomToken();
  await insertRow(tx, verificationTokens, { requestId, purpose, tokenHash: keyedHash("token", token), expiresAt: new Date(now.getTime() + ttlMs(purpose)), createdAt: now });
  return token;
}

/** The token's row if it is genuine, unexpired and unused: every link is single-use. */
export async function findLink(tx: DbOrTx, token: string, purpose: LinkPurpose, now: Date): Promise<VerificationToken | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const row = await first(tx
    .select()
    .from(verificationTokens)
    .where(and(eq(verificationTokens.tokenHash, keyedHash("token", token)), eq(verificationTokens.purpose, purpose))));
  if (!row || row.expiresAt.getTime() <= now.getTime() || row.usedAt) return null;
  return row;
}

/**
 * Finds and spends a link in one statement: of two uses racing each other
 * (two tabs, two processes), exactly one gets the row.
 */
export async function consumeLink(tx: DbOrTx, token: string, purpose: LinkPurpose, now: Date): Promise<VerificationToken | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  return (
    (await first(tx
      .update(verificationTokens)
      .set({ usedAt: now })
      .where(
        and(
          eq(verificationTokens.tokenHash, keyedHash("token", token)),
          eq(verificationTokens.purpose, purpose),
          isNull(verificationTokens.usedAt),
          gt(verificationTokens.expiresAt, now),
        ),
      )
      .returning()))! ?? null
  );
}

/**
 * Spends a link or code found earlier in the same transaction. Only if it is
 * still unspent: two uses racing each other (PostgreSQL's transactions run
 * side by side) cannot both get it; the loser's transaction is undone.
 */
export async function markUsed(tx: DbOrTx, tokenId: number, now: Date) {
  const spent = await tx.update(verificationTokens).set({ usedAt: now }).where(and(eq(verificationTokens.id, tokenId), isNull(verificationTokens.usedAt)));
  if (changes(spent) !== 1) throw new DomainError("illegal_transition", { code: "already_used" });
}

/** Codes are bound to their request and issue time, so equal codes never collide. */
function codeHash(requestId: number, code: string, issuedAt: Date) {
  return keyedHash("sms-code", `${requestId}:${issuedAt.getTime()}:${code}`);
}

/** A new code replaces any earlier one of the same purpose (the same contact) for the request. */
export async function issueSmsCode(tx: DbOrTx, requestId: number, now: Date, purpose: CodePurpose = "sms_code"): Promise<string> {
  await tx.update(verificationTokens)
    .set({ usedAt: now })
    .where(and(eq(verificationTokens.requestId, requestId), eq(verificationTokens.purpose, purpose), isNull(verificationTokens.usedAt)));
  const code = randomCode();
  await tx.insert(verificationTokens)
    .values({ requestId, purpose, tokenHash: codeHash(requestId, code, now), expiresAt: new Date(now.getTime() + ttlMs(purpose)), createdAt: now });
  return code;
}

export type CodeCheck = { ok: true; tokenId: number } | { ok: false; reason: "invalid" | "locked"; attemptsLeft: number };

/** The code a request is waiting for (the latest one not used or replaced), expired or not. */
export async function currentCode(tx: DbOrTx, requestId: number, purpose: CodePurpose = "sms_code"): Promise<VerificationToken | undefined> {
  return await first(tx
    .select()
    .from(verificationTokens)
    .where(and(eq(verificationTokens.requestId, requestId), eq(verificationTokens.purpose, purpose), isNull(verificationTokens.usedAt)))
    .orderBy(desc(verificationTokens.id)));
}

/** A code that has had its SMS_CODE_MAX_ATTEMPTS wrong tries: even the right code is refused. */
export function isLocked(row: Pick<VerificationToken, "attempts">): boolean {
  return row.attempts >= env().SMS_CODE_MAX_ATTEMPTS;
}

/** Counts the attempt whatever the outcome; the caller commits it even on failure. */
export async function checkSmsCode(tx: DbOrTx, requestId: number, code: string, now: Date, purpose: CodePurpose = "sms_code"): Promise<CodeCheck> {
  const max = env().SMS_CODE_MAX_ATTEMPTS;
  const row = await currentCode(tx, requestId, purpose);
  if (!row || row.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "invalid", attemptsLeft: 0 };
  if (row.attempts >= max) return { ok: false, reason: "locked", attemptsLeft: 0 };
  const attempts = row.attempts + 1;
  await tx.update(verificationTokens).set({ attempts }).where(eq(verificationTokens.id, row.id));
  const expected = Buffer.from(row.tokenHash);
  const given = Buffer.from(codeHash(requestId, code, row.createdAt));
  if (expected.length === given.length && timingSafeEqual(expected, given)) return { ok: true, tokenId: row.id };
  return attempts >= max ? { ok: false, reason: "locked", attemptsLeft: 0 } : { ok: false, reason: "invalid", attemptsLeft: max - attempts };
}
