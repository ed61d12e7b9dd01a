import { data, redirect } from "@remix-run/node";
import type { Ctx, StaffActor } from "../services/context";
import { DomainError, httpStatusOf } from "../services/errors";
import { sessionFrom } from "../services/staff.server";
import { readCookie, serializeCookie, STAFF_COOKIE } from "../utils/cookies.server";
import { db } from "../utils/db.server";

const COOKIE = STAFF_COOKIE.name;

/**
 * Path=/ on purpose: Remix fetches data from "/admin.data", which a cookie
 * scoped to Path=/admin would not reach. The cookie outlives idle expiry; the
 * server-side row is what counts.
 */
export function sessionCookie(token: string): string {
  return serializeCookie(COOKIE, token, STAFF_COOKIE.ttl());
}

export function clearSessionCookie(): string {
  return serializeCookie(COOKIE, "", 0);
}

export function sessionToken(request: Request): string | undefined {
  return readCookie(request, COOKIE);
}

export type StaffCtx = Ctx & { actor: StaffActor };

/**
 * Every back-office loader and action starts here: a live session with its
 * second factor done, or a redirect to the sign-in page. A password still to
 * change or a required TOTP still to set up only opens the account page.
 */
export async function requireStaff(request: Request, opts: { accountPage?: boolean } = {}): Promise<{ ctx: StaffCtx; token: string }> {
  const token = sessionToken(request);
  const now = new Date();
  const state = await sessionFrom(db(), token, now);
  if (!state || !token) throw redirect("/admin/connexion", { headers: { "Set-Cookie": clearSessionCookie() } });
  if (!state.secondFactorDone) throw redirect("/admin/connexion/code");
  if (!opts.accountPage && (state.row.mustChangePassword || state.needsTotpSetup)) throw redirect("/admin/compte");
  return { ctx: { db: db(), now, actor: state.actor }, token };
}

/** Domain errors become 4xx responses the error boundary can word in the user's language. */
export function rethrowDomain(error: unknown): never {
  if (error instanceof DomainError) {
    throw data({ code: error.code, detail: error.detail }, { status: httpStatusOf(error.code) });
  }
  throw error;
}
