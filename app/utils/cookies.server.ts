import { jwtVerify, SignJWT } from "jose";
import { randomUUID } from "node:crypto";
import { cookieFrom } from "./cookie-header";
import { derivedKey } from "./crypto.server";
import { env } from "./env.server";

export function readCookie(request: Request, name: string): string | undefined {
  return cookieFrom(request.headers.get("cookie"), name);
}

/**
 * Every cookie we set: HttpOnly (no script of ours reads one, not even the
 * language), SameSite=Lax, and Secure whenever the site is served over HTTPS.
 */
export function serializeCookie(name: string, value: string, maxAgeSeconds: number): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", `Max-Age=${maxAgeSeconds}`, "SameSite=Lax", "HttpOnly"];
  if (env().BASE_URL.startsWith("https://")) parts.push("Secure");
  return parts.join("; ");
}

/** The language switch's choice (app/routes/langue.tsx): a year, so the site keeps speaking it. */
export const LANG_COOKIE = { name: "lang", ttl: 365 * 24 * 3600 } as const;

/** The back-office session's handle (app/web/staff-session.server.ts); the session itself lives in the database. */
export const STAFF_COOKIE = { name: "rd_staff", ttl: () => env().STAFF_SESSION_MAX_HOURS * 3600 } as const;

/**
 * Short-lived signed cookies (jose, HS256) that remember which request this
 * browser may see: "pending" right after filing (to enter the SMS code),
 * "follow" after a verified link. The token itself never stays in the URL bar.
 */
type Purpose = "pending" | "follow";
const COOKIE = {
  pending: { name: "rd_pending", ttl: 24 * 3600 },
  follow: { name: "rd_follow", ttl: 2 * 3600 },
} as const satisfies Record<Purpose, { name: string; ttl: number }>;

/**
 * The HS256 key as a WebCrypto key, imported once per secret: jose imports a
 * raw byte key again on every sign and verify, a measurable share of a filing.
 */
const imported = new Map<string, Promise<CryptoKey>>();
function key(): Promise<CryptoKey> {
  const raw = derivedKey("jwt:v1");
  const id = raw.toString("base64");
  let k = imported.get(id);
  if (!k) {
    k = crypto.subtle.importKey("raw", new Uint8Array(raw), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    imported.set(id, k);
  }
  return k;
}

export async function grantCookie(purpose: Purpose, requestId: number): Promise<string> {
  const jwt = await new SignJWT({ typ: purpose })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(String(requestId))
    .setIssuedAt()
    .setExpirationTime(`${COOKIE[purpose].ttl}s`)
    .sign(await key());
  return serializeCookie(COOKIE[purpose].name, jwt, COOKIE[purpose].ttl);
}

export function clearCookie(purpose: Purpose): string {
  return serializeCookie(COOKIE[purpose].name, "", 0);
}

export async function grantedRequest(request: Request, purpose: Purpose): Promise<number | null> {
  const raw = readCookie(request, COOKIE[purpose].name);
  if (!raw) return null;
  try {
    const { payload } = await jwtVerify(raw, await key(), { algorithms: ["HS256"] });
    if (payload.typ !== purpose) return null;
    const id = Number(payload.sub);
    return Number.isSafeInteger(id) && id > 0 ? id : null;
  } catch {
    return null;
  }
}

/**
 * The follow-up form's claim (rd_claim): "this browser typed this reference
 * and this phone". Set for every phone typed there, matched or not, so its
 * presence says nothing; it lets the browser enter the new code the form
 * sends when the pair names a request still awaiting its SMS code. Holds the
 * reference and the phone's keyed hash, never the number.
 */
const CLAIM = { name: "rd_claim", ttl: 3600 } as const;

export async function grantClaimCookie(claim: { reference: string; phoneKey: string }): Promise<string> {
  const jwt = await new SignJWT({ typ: "claim", pk: claim.phoneKey })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claim.reference)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${CLAIM.ttl}s`)
    .sign(await key());
  return serializeCookie(CLAIM.name, jwt, CLAIM.ttl);
}

export function clearClaimCookie(): string {
  return serializeCookie(CLAIM.name, "", 0);
}

export async function followUpClaim(request: Request): Promise<{ id: string; reference: string; phoneKey: string; issuedAt: Date } | null> {
  const raw = readCookie(request, CLAIM.name);
  if (!raw) return null;
  try {
    const { payload } = await jwtVerify(raw, await key(), { algorithms: ["HS256"] });
    if (payload.typ !== "claim" || typeof payload.sub !== "string" || typeof payload.pk !== "string" || typeof payload.jti !== "string" || typeof payload.iat !== "number") return null;
    return { id: payload.jti, reference: payload.sub, phoneKey: payload.pk, issuedAt: new Date(payload.iat * 1000) };
  } catch {
    return null;
  }
}

/**
 * Every cookie this site sets, with its lifetime, in the order the cookies
 * page lists them (app/routes/cookies.tsx). A cookie set anywhere without
 * being listed here fails tests/transparency.test.ts, which reads the
 * Set-Cookie headers of real responses.
 */
export function siteCookies() {
  return [
    { name: LANG_COOKIE.name, maxAgeSeconds: LANG_COOKIE.ttl },
    { name: COOKIE.pending.name, maxAgeSeconds: COOKIE.pending.ttl },
    { name: COOKIE.follow.name, maxAgeSeconds: COOKIE.follow.ttl },
    { name: CLAIM.name, maxAgeSeconds: CLAIM.ttl },
    { name: STAFF_COOKIE.name, maxAgeSeconds: STAFF_COOKIE.ttl() },
  ];
}
