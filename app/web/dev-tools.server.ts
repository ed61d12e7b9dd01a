import { env } from "../utils/env.server";
import type { LoadContext } from "./request.server";

/**
 * The development outbox shows every email and SMS the app "sent", links
 * and codes included, to whoever opens it. It exists only outside
 * production, and only for a browser on the machine itself: the socket's
 * own peer address must be loopback. X-Forwarded-For is never consulted,
 * even with TRUST_PROXY=1 (a proxy on the same machine would make every
 * visitor look local, so behind one it is simply not served).
 */
export function devToolsAllowed(context: unknown): boolean {
  return env().devTools && isLoopback((context as LoadContext | undefined)?.peerAddress);
}

/** 127.0.0.0/8 and ::1, written plainly or IPv4-mapped (`::ffff:127.0.0.1`). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  if (a === "::1" || a === "0:0:0:0:0:0:0:1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice("::ffff:".length) : a;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
