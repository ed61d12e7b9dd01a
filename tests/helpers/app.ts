import { setupServer } from "msw/node";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createHttpApp } from "../../app/web/http.server";
import { deliverDue } from "../../app/services/outbox.server";
import { closeDb, db } from "../../app/utils/db.server";
import { resetEnvForTests } from "../../app/utils/env.server";
import { closeTransports } from "../../app/utils/mailer.server";
import { SMS_GATEWAY_URL, smsGateway } from "../mocks/sms";
import { dropPostgresDatabase, freshPostgresDatabase, onPostgres } from "./postgres";
import { startSmtpSink } from "./smtp-sink";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * The real thing, in-process: the production build behind the same express
 * front as `npm start`, a temp SQLite file (a fresh PostgreSQL database when
 * TEST_STORE=postgres, tests/helpers/postgres.ts), a real SMTP sink, and msw in place
 * of the SMS gateway. Workers are off: tests run the sender loop's tick
 * (`deliver`) themselves, so timing is theirs to control.
 */
export async function startApp(opts: { env?: Record<string, string>; smtpUrl?: string; host?: string; store?: "sqlite" } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-test-"));
  const sink = opts.smtpUrl ? null : await startSmtpSink();
  const sms = smsGateway();
  const msw = setupServer(...sms.handlers);
  msw.listen({ onUnhandledRequest: "bypass" });

  const build = await import(pathToFileURL(path.join(ROOT, "build/server/index.js")).href);
  const app = createHttpApp({ build, clientDir: path.join(ROOT, "build/client") });
  const server = app.listen(0, opts.host ?? "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  // store "sqlite": a test about SQLite's own file (tampering with it, reading its bytes), on either pass.
  const databaseUrl = onPostgres && opts.store !== "sqlite" ? await freshPostgresDatabase() : `file:${path.join(dir, "rightsdesk.sqlite")}`;

  Object.assign(process.env, {
    APP_ENV: "test",
    DATA_DIR: dir,
    DATABASE_URL: databaseUrl,
    APP_SECRET: "test-secret-that-is-long-enough-for-hkdf-0123456789",
    SMTP_URL: opts.smtpUrl ?? sink!.url,
    SMS_GATEWAY_URL,
    SMS_GATEWAY_TOKEN: "sms-test-token",
    BASE_URL: base,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    WORKERS: "0",
    // PostgreSQL pass: each test app holds two pools (the sources' and the build's) beside other files' apps.
    DATABASE_POOL_SIZE: "4",
    // No connectors unless a test configures them (the repository's file is the demo's).
    CONNECTORS_CONFIG: path.join(dir, "no-connectors.json"),
    RATE_LIMIT_FILING_PER_HOUR: "1000",
    RATE_LIMIT_VERIFY_PER_HOUR: "1000",
    ...opts.env,
  });
  resetEnvForTests();
  build.entry.module.resetEnvForTests();
  closeDb();
  build.entry.module.closeDb();

  return {
    base,
    port,
    sink,
    sms,
    msw,
    db,
    dir,
    /** one tick of the outbox sender, as the worker loop runs it */
    deliver: (now?: Date) => deliverDue({ db: db(), now }),
    browser: () => new Browser(base),
    async stop() {
      msw.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      closeTransports();
      closeDb();
      build.entry.module.closeDb();
      await sink?.close();
      if (databaseUrl.startsWith("postgres")) await dropPostgresDatabase(databaseUrl);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type TestApp = Awaited<ReturnType<typeof startApp>>;

/**
 * A tiny browser: keeps cookies (honouring their Path, as a real one does),
 * sends Origin like a real one, does not follow redirects by itself.
 */
export class Browser {
  cookies = new Map<string, string>();
  private paths = new Map<string, string>();
  constructor(public base: string) {}

  private cookieHeader(pathname: string) {
    const matches = (p: string) => p === "/" || pathname === p || pathname.startsWith(`${p}/`);
    return [...this.cookies]
      .filter(([k]) => matches(this.paths.get(k) ?? "/"))
      .map(([k, v]) => `${k}=${v}`)
      .join("; ");
  }

  private store(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = /;\s*Path=([^;]+)/i.exec(c)?.[1] ?? "/";
      if (/Max-Age=0/i.test(c) || value === "") this.cookies.delete(name);
      else {
        this.cookies.set(name, value);
        this.paths.set(name, path);
      }
    }
  }

  async request(pathname: string, init: RequestInit & { origin?: string | null } = {}) {
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(new URL(pathname, this.base).pathname);
    if (cookie) headers.set("cookie", cookie);
    if (init.method && init.method !== "GET" && init.origin !== null) headers.set("origin", init.origin ?? this.base);
    const res = await fetch(new URL(pathname, this.base), { ...init, headers, redirect: "manual" });
    this.store(res);
    return res;
  }

  get(pathname: string) {
    return this.request(pathname);
  }

  post(pathname: string, body: FormData | URLSearchParams | Record<string, string | string[]>, init: { origin?: string | null } = {}) {
    let payload: FormData | URLSearchParams;
    if (body instanceof FormData || body instanceof URLSearchParams) payload = body;
    else {
      payload = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) for (const item of Array.isArray(v) ? v : [v]) payload.append(k, item);
    }
    return this.request(pathname, { method: "POST", body: payload, ...init });
  }

  /** GET a page and follow redirects (collecting cookies) until a final answer. */
  async follow(res: Response): Promise<Response> {
    let current = res;
    for (let i = 0; i < 5 && current.status >= 300 && current.status < 400; i++) {
      const location = current.headers.get("location")!;
      current = await this.get(location);
    }
    return current;
  }
}

/** The fields of a typical valid web request; override what the test is about. */
export function validRequest(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    rights: ["access"],
    lastName: "Desmarc",
    firstName: "Corinne",
    email: "desmarc.corinne@orange.fr",
    phone: "",
    onBehalf: "self",
    details: "Enquête Osiris sur les réseaux sociaux",
    contactConsent: "on",
    ...overrides,
  };
}

/** Visible text of an HTML page, for assertions a person would make. */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<style[\s\S]*?<\/style>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/&nbsp;|\u00a0|\u202f/g, " ")
    .replace(/\s+/g, " ");
}
