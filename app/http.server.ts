import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express, { type NextFunction, type Request, type Response } from "express";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { ViteDevServer } from "vite";
import { redactPath } from "./utils/redact";
import { catalogues } from "./i18n";
import { localeFromCookies } from "./utils/i18n.server";

/**
 * The HTTP front of RightsDesk, shared by `npm start`, `npm run demo`,
 * `npm run dev` and the integration tests: security headers, the CSRF origin
 * check, static assets and the Remix handler.
 */
export type HttpOptions = {
  /** the production build (build/server/index.js), or a loader for it in dev */
  build: ServerBuild | (() => Promise<ServerBuild>);
  vite?: ViteDevServer;
  clientDir?: string;
  trustProxy?: boolean;
  https?: boolean;
  logRequests?: boolean;
};

export function createHttpApp(opts: HttpOptions) {
  const app = express();
  app.disable("x-powered-by");
  if (opts.trustProxy) app.set("trust proxy", true);

  app.use(securityHeaders({ https: Boolean(opts.https), dev: Boolean(opts.vite) }));
  app.use(sameOriginForMutations);
  app.use(drainUnreadBody);
  if (opts.logRequests) app.use(requestLog);

  if (opts.vite) {
    app.use(opts.vite.middlewares);
  } else if (opts.clientDir) {
    app.use("/assets", express.static(path.join(opts.clientDir, "assets"), { immutable: true, maxAge: "1y" }));
    // No directory redirects ("/x/..%2F..%2F" is the client dir): unknown paths go to Remix, which answers in the visitor's language.
    app.use(express.static(opts.clientDir, { maxAge: "1h", redirect: false }));
  }

  app.all(
    "*",
    createRequestHandler({
      build: opts.build as ServerBuild,
      mode: opts.vite ? "development" : "production",
      getLoadContext: (req, res) => ({
        clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
        cspNonce: res.locals.cspNonce as string,
      }),
    }),
  );
  app.use(errorPage);
  return app;
}

/**
 * What express itself refuses before Remix sees the request — a path with a
 * broken percent-escape ("/x/%") is a URIError with status 400 — answered in
 * the visitor's language, without express's default page and its stack trace.
 */
export function errorPage(error: unknown, req: Request, res: Response, next: NextFunction) {
  if (res.headersSent) return next(error);
  const declared = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  const status = typeof declared === "number" && declared >= 400 && declared < 600 ? declared : 500;
  const locale = localeFromCookies(req.get("cookie"));
  const t = catalogues[locale].errorPage;
  const message = status === 413 ? t.payloadTooLarge : status < 500 ? t.badRequest : t.server;
  res
    .status(status)
    .type("html")
    .send(`<!DOCTYPE html><html lang="${locale}"><head><meta charset="utf-8"><title>${t.title}</title></head><body><h1>${t.title}</h1><p role="alert">${message}</p><p><a href="/">${t.back}</a></p></body></html>`);
}

/**
 * The Content-Security-Policy of one response. Scripts run only from our own
 * origin or inline with this response's nonce (Remix's hydration data); styles
 * allow inline `style` attributes, which a few components set (chart bars,
 * widths) and which cannot run code. In development Vite injects its client and
 * talks to it over a WebSocket, so the policy there is workable, not strict.
 */
export function contentSecurityPolicy(nonce: string, dev = false): string {
  const script = dev ? "script-src 'self' 'unsafe-inline'" : `script-src 'self' 'nonce-${nonce}'`;
  return [
    "default-src 'self'",
    script,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    dev ? "connect-src 'self' ws: wss:" : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

const OWNED_HEADERS = new Set(
  ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "Cross-Origin-Opener-Policy", "Permissions-Policy", "Strict-Transport-Security"].map((h) => h.toLowerCase()),
);

/** On every response, pages, files, JSON and the 403 below alike: set before anything can answer. */
function securityHeaders(opts: { https: boolean; dev: boolean }) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const nonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce, opts.dev));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (opts.https) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    // Remix's adapter appends a route's headers to these: a resource route that
    // restates one (nosniff on a CSV) or tightens one would send it twice.
    // For the headers set here, the route's value replaces ours.
    const append = res.append.bind(res);
    res.append = (field: string, value?: string | string[]) => {
      if (OWNED_HEADERS.has(field.toLowerCase()) && value !== undefined) {
        res.setHeader(field, value);
        return res;
      }
      return append(field, value);
    };
    next();
  };
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence: browsers mark every POST with Sec-Fetch-Site and/or Origin;
 * a mutation that says "another site" is refused. /api/* is outside it: it
 * acts on a bearer token only (app/utils/api-auth.server.ts).
 */
export function sameOriginForMutations(req: Request, res: Response, next: NextFunction) {
  if (SAFE.has(req.method)) return next();
  if (req.path.startsWith("/api/")) {
    // Machine endpoints authenticate with a bearer token and ignore cookies: a
    // forged cross-site request has no credential to ride on, and a browser
    // cannot add the header without a CORS preflight we never grant.
    if (req.get("origin") === "null") delete req.headers.origin;
    return next();
  }
  const origin = req.get("origin");
  const fetchSite = req.get("sec-fetch-site");
  let ok: boolean;
  if (fetchSite) {
    // Modern browsers say where a request comes from; with Referrer-Policy
    // no-referrer they send "Origin: null" on plain form posts, so this wins.
    ok = fetchSite === "same-origin" || fetchSite === "none";
  } else if (origin && origin !== "null") {
    try {
      ok = new URL(origin).host === req.get("host");
    } catch {
      ok = false;
    }
  } else if (origin === "null") {
    ok = false;
  } else {
    // No browser signal at all (curl, scripts). Public forms accept it; the
    // back office acts on a session cookie and refuses.
    ok = !req.path.startsWith("/admin");
  }
  if (ok) {
    // Remix 2 refuses "Origin: null" outright (a 500); by here Sec-Fetch-Site
    // has vouched for the request, so drop the opaque origin before Remix sees it.
    if (origin === "null") delete req.headers.origin;
    return next();
  }
  res
    .status(403)
    .type("html")
    .send(
      '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Action refusée</title><h1>Action refusée</h1><p>Cette action n\'est pas autorisée depuis une autre page.</p><p lang="en">This action is not allowed from another site.</p><p><a href="/">Accueil / Home</a></p></html>',
    );
}

const DRAIN_MAX_BYTES = 8 * 1024 * 1024;

/**
 * A request body the app did not read (JSON posted to a form, a 401 before
 * the upload was looked at) is read and dropped once the answer is out, so
 * the client gets that answer; closing a socket with unread bytes makes TCP
 * send a reset, and the client sees "connection reset" instead of the 400.
 * Past DRAIN_MAX_BYTES the connection is cut.
 */
export function drainUnreadBody(req: Request, res: Response, next: NextFunction) {
  res.once("finish", () => {
    if (req.complete || req.destroyed) return;
    // Remix's body pump still listens; the answer is sent, nobody reads it.
    req.removeAllListeners("data");
    let seen = 0;
    req.on("data", (chunk: Buffer) => {
      seen += chunk.byteLength;
      if (seen > DRAIN_MAX_BYTES) req.destroy();
    });
    req.resume();
  });
  next();
}

/** Method, path shape, status and duration: no query string, no token, no email or number, no body. */
function requestLog(req: Request, res: Response, next: NextFunction) {
  const started = process.hrtime.bigint();
  res.on("finish", () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const pathOnly = redactPath(req.path);
    process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), level: "info", event: "http", method: req.method, path: pathOnly, status: res.statusCode, ms: Math.round(ms) })}\n`);
  });
  next();
}
