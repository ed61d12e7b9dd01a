import { createRequestHandler as createRemixHandler, writeReadableStreamToWritable, type ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { ViteDevServer } from "vite";
import { redactPath } from "../utils/redact";
import { catalogues } from "../i18n";
import { localeFromCookies } from "../utils/i18n.server";
import { bodyLimit, countedBody, declaredOver } from "./body-limit.server";
import { remixUrl, routeInfo, type RouteInfo } from "./http-route.server";
import { LANG_COOKIE } from "../utils/cookies.server";

/**
 * The HTTP front of RightsDesk, shared by `npm start`, `npm run demo`,
 * `npm run dev` and the integration tests: security headers, the methods
 * served, the CSRF origin check, the body ceiling, static assets and the
 * Remix handler.
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
  const trustProxy = Boolean(opts.trustProxy);
  if (trustProxy) app.set("trust proxy", true);
  const build = opts.build;
  const currentBuild = typeof build === "function" ? build : async () => build;

  app.use(securityHeaders({ https: Boolean(opts.https), dev: Boolean(opts.vite) }));
  if (opts.logRequests) app.use(requestLog);
  // Registered before anything that answers without reading the body.
  app.use(drainUnreadBody);
  app.use(allowedMethods);
  app.use(noNulInAddress);
  app.use(awaited(resolveRoute(currentBuild, trustProxy)));
  app.use(sameOriginForMutations);
  app.use(bodyCeiling);

  // Only what is read (GET, HEAD): a form's answer is a redirect or the form again with what was typed, which is
  // the visitor's own text next to the page's (BREACH), and compressing nothing still cost every post its setup.
  const compress = compression({ filter: sameForEveryone });
  app.use((req, res, next) => (req.method === "GET" || req.method === "HEAD" ? compress(req, res, next) : next()));
  if (opts.vite) {
    app.use(opts.vite.middlewares);
  } else if (opts.clientDir) {
    // Hashed file names: cached for a year.
    app.use("/assets", express.static(path.join(opts.clientDir, "assets"), { immutable: true, maxAge: "1y" }));
    // No directory redirects ("/x/..%2F..%2F" is the client dir): unknown paths go to Remix, which answers in the visitor's language.
    app.use(express.static(opts.clientDir, { maxAge: "1h", redirect: false }));
  }

  app.all("*", awaited(remixHandler({ build, mode: opts.vite ? "development" : "production" })));
  app.use(errorPage);
  return app;
}

/**
 * The build's files are compressed for everyone. Pages are compressed only
 * when they cannot hold a secret of the visitor's: a request with no cookie
 * but the language gets the page anyone would get.
 * A back-office page or a requester's status page (session or follow-up
 * cookie) goes out uncompressed, so its size cannot leak what it holds next
 * to text an attacker can make it reflect (BREACH). Event streams (live
 * progress) are never compressed: the compressor would hold back each event.
 */
export function sameForEveryone(req: Request, res: Response): boolean {
  if (/text\/event-stream/i.test(String(res.getHeader("Content-Type") ?? ""))) return false;
  // The build's scripts and styles (originalUrl: inside the /assets handler, req.path has lost its
  // mount point). Never a page: "/assets/%2e%2e/admin" would reach Remix as /admin.
  if (req.originalUrl.startsWith("/assets/") && !/text\/html/i.test(String(res.getHeader("Content-Type") ?? ""))) return compression.filter(req, res);
  const cookies = (req.get("cookie") ?? "")
    .split(";")
    .map((c) => c.split("=")[0]!.trim())
    .filter(Boolean);
  if (cookies.some((name) => name !== LANG_COOKIE.name)) return false;
  return compression.filter(req, res);
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
  sendErrorPage(req, res, status);
}

/**
 * A short page in the visitor's language (the `lang` cookie, French by
 * default) for what the front refuses itself: 403, 405, 413, 400, 500. It
 * quotes nothing from the request.
 */
export function sendErrorPage(req: Request, res: Response, status: number, headers: Record<string, string> = {}) {
  const locale = localeFromCookies(req.get("cookie"));
  const t = catalogues[locale].errorPage;
  const message =
    status === 413
      ? t.payloadTooLarge
      : status === 405
        ? t.methodNotAllowed
        : status === 403
          ? t.forbidden
          : status === 404
            ? t.notFound
            : status < 500
              ? t.badRequest
              : t.server;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
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

/**
 * The methods the site serves (ASVS 14.5.1). Anything else — TRACE, which a
 * Fetch Request cannot even carry, PUT, DELETE, OPTIONS, WebDAV verbs — is a
 * 405 naming these, before any route runs.
 */
export const ALLOWED_METHODS = ["GET", "HEAD", "POST"] as const;
const ALLOW = ALLOWED_METHODS.join(", ");

export function allowedMethods(req: Request, res: Response, next: NextFunction) {
  if ((ALLOWED_METHODS as readonly string[]).includes(req.method)) return next();
  sendErrorPage(req, res, 405, { Allow: ALLOW });
}

/**
 * An address with a NUL character (%00) in its path or query: no reference,
 * slug or filter holds one, and PostgreSQL refuses it in any text it is
 * compared with. A 400, not a search for it.
 */
export function noNulInAddress(req: Request, res: Response, next: NextFunction) {
  if (!req.originalUrl.includes("%00") && !req.originalUrl.includes("\0")) return next();
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.originalUrl.replace(/\+/g, " "));
  } catch {
    return next(); // malformed escapes: the route's own handling answers them
  }
  if (decoded.includes("\0")) return sendErrorPage(req, res, 400);
  next();
}

/** The host a request's Origin must name: the Host header, or the proxy's X-Forwarded-Host when the proxy is trusted. */
function effectiveHost(req: Request, trustProxy: boolean): string | undefined {
  const forwarded = trustProxy ? req.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  return forwarded || req.get("host") || undefined;
}

type Routed = { url: URL | null; route: RouteInfo | null; host: string | undefined };
const routed = (res: Response) => res.locals.routed as Routed;

/**
 * Finds, for a request that sends a body or asks for single-fetch data, the
 * route Remix will run (app/web/http-route.server.ts); the CSRF rule and
 * the body ceiling are decided on it, never on the raw path.
 */
/** Express 4 ignores a middleware's promise: a rejection goes to the error page instead of nowhere. */
function awaited(fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown>) {
  return (req: Request, res: Response, next: NextFunction) => {
    fn(req, res, next).catch(next);
  };
}

function resolveRoute(currentBuild: () => Promise<ServerBuild>, trustProxy: boolean) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      // Only a trusted proxy may say which host was asked for: Remix's own
      // origin check reads X-Forwarded-Host, and must compare with what we do.
      if (!trustProxy) delete req.headers["x-forwarded-host"];
      const host = effectiveHost(req, trustProxy);
      const url = remixUrl(`${req.protocol}://${host ?? "localhost"}`, req.originalUrl);
      const needed = req.method !== "GET" && req.method !== "HEAD" ? true : Boolean(url?.pathname.endsWith(".data"));
      const route = needed ? routeInfo(await currentBuild(), url) : null;
      res.locals.routed = { url, route, host } satisfies Routed;
      next();
    } catch (error) {
      next(error);
    }
  };
}

const SAFE = new Set(["GET", "HEAD"]);

/**
 * CSRF defence: browsers mark every POST with Sec-Fetch-Site and/or Origin;
 * a mutation that says "another site" is refused, and so is single-fetch
 * data (`.data`) asked for by another site, whatever the method. An Origin
 * that names another host is refused even when Sec-Fetch-Site says
 * same-origin: the two disagree, and Remix's own check would throw (a 500).
 * /api/* is outside it: it acts on a bearer token only
 * (app/web/api-auth.server.ts).
 */
export function sameOriginForMutations(req: Request, res: Response, next: NextFunction) {
  const { route, host } = routed(res) ?? { route: null, host: req.get("host") };
  // Single fetch runs an action for anything but GET, HEAD included.
  const mutation = !SAFE.has(req.method) || (Boolean(route?.data) && req.method === "HEAD");
  if (!mutation && !route?.data) return next();
  if (route?.api && !route.data) {
    // Machine endpoints authenticate with a bearer token and ignore cookies: a
    // forged cross-site request has no credential to ride on, and a browser
    // cannot add the header without a CORS preflight we never grant.
    if (req.get("origin") === "null") delete req.headers.origin;
    return next();
  }
  const origin = req.get("origin");
  const fetchSite = req.get("sec-fetch-site");
  let ok: boolean;
  if (origin && origin !== "null" && !originNames(origin, host)) {
    ok = false;
  } else if (fetchSite) {
    // Modern browsers say where a request comes from; with Referrer-Policy
    // no-referrer they send "Origin: null" on plain form posts, so this wins.
    ok = fetchSite === "same-origin" || fetchSite === "none";
  } else if (origin && origin !== "null") {
    ok = true; // names this host (checked above)
  } else if (origin === "null") {
    ok = false;
  } else {
    // No browser signal at all (curl, scripts, and browsers' own same-origin
    // data GETs, which carry no Origin). Reads and public forms accept it; a
    // back-office mutation acts on a session cookie and refuses. The route
    // decides, not the path's spelling: /Admin, /%61dmin, //admin/ alike.
    ok = !mutation || !(route?.backOffice ?? true);
  }
  if (ok) {
    // Remix 2 refuses "Origin: null" outright (a 500); by here Sec-Fetch-Site
    // has vouched for the request, so drop the opaque origin before Remix sees it.
    if (origin === "null") delete req.headers.origin;
    return next();
  }
  sendErrorPage(req, res, 403);
}

/** Remix compares the Origin's host with the request's host, exactly; so do we. */
function originNames(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** A body declared larger than the ceiling is refused before a byte is read; chunked ones are counted in remixHandler. */
function bodyCeiling(req: Request, res: Response, next: NextFunction) {
  const route = routed(res)?.route;
  const max = bodyLimit({ upload: Boolean(route?.upload), contentType: req.get("content-type") });
  res.locals.bodyMax = max;
  if (declaredOver(req, max)) return sendErrorPage(req, res, 413);
  next();
}

/**
 * The official express adapter's handler (@remix-run/express), but for the
 * body: what Remix reads is counted against the ceiling as it arrives, and
 * past it the 413 goes out at once and the action is aborted.
 */
function remixHandler(opts: { build: HttpOptions["build"]; mode: string }) {
  const handle = createRemixHandler(opts.build, opts.mode);
  return async (req: Request, res: Response, next: NextFunction) => {
    const { url } = routed(res);
    if (!url) return sendErrorPage(req, res, 400);
    let controller: AbortController | null = new AbortController();
    res.on("finish", () => (controller = null));
    res.on("close", () => controller?.abort());
    const headers = new Headers();
    for (const [name, values] of Object.entries(req.headers)) {
      if (values === undefined) continue;
      for (const value of Array.isArray(values) ? values : [values]) headers.append(name, value);
    }
    const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
    if (req.method !== "GET" && req.method !== "HEAD") {
      init.body = countedBody(req, (res.locals.bodyMax as number | undefined) ?? 0, () => {
        if (!res.headersSent) sendErrorPage(req, res, 413);
        controller?.abort();
      });
      init.duplex = "half";
    }
    try {
      const loadContext = {
        clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
        // The socket's own peer, never X-Forwarded-For: what only the machine itself may see (the dev outbox) asks this.
        peerAddress: req.socket.remoteAddress ?? "",
        cspNonce: res.locals.cspNonce as string,
      };
      const response = await handle(new Request(url.href, init), loadContext);
      if (res.headersSent) {
        // The 413 went out while the action was reading; what it made of the cut body is dropped.
        await response.body?.cancel().catch(() => undefined);
        return;
      }
      await sendResponse(res, response);
    } catch (error) {
      if (res.headersSent) return;
      next(error);
    }
  };
}

async function sendResponse(res: Response, response: globalThis.Response) {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  if (response.headers.get("content-type")?.match(/text\/event-stream/i)) res.flushHeaders();
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
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
