import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "../utils/env.server";

/**
 * Machine-to-machine endpoints (/api/*) authenticate with a bearer token from
 * the environment, never with cookies: a session cookie sent along is ignored,
 * so a browser cannot be tricked into calling them with ambient credentials.
 */
export type ApiAuth = "ok" | "disabled" | "unauthorised";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

export function suppressionApiAuth(request: Request): ApiAuth {
  const e = env();
  const expected = e.SUPPRESSION_API_TOKEN;
  // Start-up refuses "on" without a token (env.server.ts): off is always a decision someone wrote down.
  if (e.SUPPRESSION_API === "off" || !expected) return "disabled";
  return bearerMatches(request, expected) ? "ok" : "unauthorised";
}

/** The request carries `Authorization: Bearer <expected>`. */
export function bearerMatches(request: Request, expected: string): boolean {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return false;
  // Equal-length digests: the comparison takes the same time whatever the token's length or content.
  return timingSafeEqual(digest(match[1]!), digest(expected));
}

const NO_STORE = { "Cache-Control": "no-store" };

/** A JSON answer that is never cached. */
export function apiJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

/** The answer for a request that did not pass `suppressionApiAuth`: no detail either way. */
export function apiRefusal(auth: Exclude<ApiAuth, "ok">): Response {
  return auth === "disabled"
    ? apiJson({ error: "not_found" }, 404)
    : apiJson({ error: "unauthorized" }, 401, { "WWW-Authenticate": 'Bearer realm="rightsdesk"' });
}

/** Reads a request body up to `max` bytes; null when it is larger. */
export async function readBodyLimited(request: Request, max: number): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > max) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
