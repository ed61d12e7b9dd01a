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

/**
 * Short-lived signed cookies (jose, HS256) that remember which request this
 * browser may see: "pending" right after filing (to enter the SMS code),
 * "follow" after a verified link. The token itself never stays in the URL bar.
 */
type Purpose = "pending" | "follow";
const COOKIE: Record<Purpose, { name: string; ttl: number }> = {
  pending: { name: "rd_pending", ttl: 24 * 3600 },
  follow: { name: "rd_follow", ttl: 2 * 3600 },
};

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
const CLAIM = { name: "rd_claim", ttl: 3600 };

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
