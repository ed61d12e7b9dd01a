import path from "node:path";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp } from "../app/web/http.server";
import { startApp, textOf, validRequest, type TestApp } from "./helpers/app";
import { signedIn } from "./helpers/staff";
import { mailTo } from "./helpers/smtp-sink";

/**
 * Security headers and cookies, checked on what the server really sends:
 * every kind of response carries the headers, every inline script carries the
 * nonce its own Content-Security-Policy names, and every cookie is HttpOnly
 * and SameSite (and Secure once the site is on HTTPS).
 */
const ROOT = path.resolve(import.meta.dirname, "..");
const API_TOKEN = "security-test-api-token-0123456789-abcdef";

let app: TestApp;

/** One app per block: the app helper's database and settings are process-wide. */
function withApp(env: Record<string, string> = {}) {
  beforeAll(async () => {
    app = await startApp({ env: { SUPPRESSION_API_TOKEN: API_TOKEN, SUPPRESSION_HASH_KEY: "security-test-hash-key-0123456789-abcdef", ...env } });
  });
  afterAll(async () => {
    await app?.stop();
  });
}

function directives(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

/** The headers every response must carry, whatever produced it. */
function expectSecurityHeaders(res: Response, what: string) {
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), what).toBe("no-referrer");
  expect(res.headers.get("x-frame-options"), what).toBe("DENY");
  const csp = directives(res.headers.get("content-security-policy") ?? "");
  expect(csp.get("frame-ancestors"), what).toEqual(["'none'"]);
  expect(csp.get("default-src"), what).toEqual(["'self'"]);
  expect(csp.get("object-src"), what).toEqual(["'none'"]);
  expect(csp.get("base-uri"), what).toEqual(["'self'"]);
  expect(csp.get("form-action"), what).toEqual(["'self'"]);
  const scripts = csp.get("script-src") ?? [];
  expect(scripts, what).not.toContain("'unsafe-inline'");
  expect(scripts, what).not.toContain("'unsafe-eval'");
  expect(scripts[0], what).toBe("'self'");
  expect(scripts[1], what).toMatch(/^'nonce-[A-Za-z0-9+/]{22}==?'$/);
  expect(scripts, what).toHaveLength(2);
  return scripts[1]!.slice("'nonce-".length, -1);
}

/** Every <script> is either loaded from this origin or carries the nonce the header names. */
function expectScriptsUnder(html: string, nonce: string, what: string) {
  const tags = [...html.matchAll(/<script\b([^>]*)>/gi)].map((m) => m[1]!);
  expect(tags.length, `${what}: scripts on the page`).toBeGreaterThan(0);
  let inline = 0;
  for (const attrs of tags) {
    const src = /\bsrc="([^"]*)"/.exec(attrs)?.[1];
    if (src !== undefined) {
      expect(src, what).toMatch(/^\/(?!\/)/);
      continue;
    }
    inline++;
    expect(/\bnonce="([^"]*)"/.exec(attrs)?.[1], `${what}: <script${attrs}>`).toBe(nonce);
  }
  // Remix hydrates from inline scripts: if there were none, this check would prove nothing.
  expect(inline, what).toBeGreaterThan(0);
  // No inline event handlers, which no nonce can allow.
  expect(html, what).not.toMatch(/\son[a-z]+="/i);
}

describe("security headers", () => {
  withApp();
  it("come with every kind of response: pages, 404, 400, redirects, CSV, JSON, assets and the CSRF refusal", async () => {
    const dpo = await signedIn(app, "dpo");
    const visitor = app.browser();

    const home = await visitor.get("/");
    expect(home.status).toBe(200);
    expectScriptsUnder(await home.text(), expectSecurityHeaders(home, "home"), "home");

    const notFound = await visitor.get("/nulle-part");
    expect(notFound.status).toBe(404);
    expectScriptsUnder(await notFound.text(), expectSecurityHeaders(notFound, "404"), "404");

    const badToken = await visitor.get("/verification/not-a-real-token");
    expect(badToken.status).toBeGreaterThanOrEqual(400);
    expectScriptsUnder(await badToken.text(), expectSecurityHeaders(badToken, "bad token"), "bad token");

    const invalid = await visitor.post("/demande", validRequest({ email: "pas-une-adresse" }));
    expect(invalid.status).toBe(400);
    expectScriptsUnder(await invalid.text(), expectSecurityHeaders(invalid, "400 form"), "400 form");

    const queue = await dpo.browser.get("/admin");
    expect(queue.status).toBe(200);
    expectScriptsUnder(await queue.text(), expectSecurityHeaders(queue, "back office"), "back office");

    const redirect = await app.browser().get("/admin");
    expect(redirect.status).toBe(302);
    expectSecurityHeaders(redirect, "redirect");

    const csv = await dpo.browser.get("/admin/rapports/csv?from=2025-01&to=2025-02");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expectSecurityHeaders(csv, "CSV");

    const journal = await dpo.browser.get("/admin/journal.csv");
    expect(journal.status).toBe(200);
    expectSecurityHeaders(journal, "journal CSV");

    const json = await fetch(`${app.base}/api/suppression/check`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(json.status).toBe(401);
    expect(json.headers.get("content-type")).toContain("application/json");
    expectSecurityHeaders(json, "API JSON");

    const data = await dpo.browser.get("/admin.data");
    expectSecurityHeaders(data, "single-fetch data");

    const assetPath = /<link rel="stylesheet" href="([^"]+)"/.exec(await (await visitor.get("/")).text())?.[1];
    expect(assetPath).toMatch(/^\/assets\//);
    const asset = await fetch(`${app.base}${assetPath}`);
    expect(asset.status).toBe(200);
    expectSecurityHeaders(asset, "static asset");

    const forged = await dpo.browser.post("/admin/equipe", { intent: "create" }, { origin: "https://evil.example" });
    expect(forged.status).toBe(403);
    expectSecurityHeaders(forged, "CSRF refusal");
  });

  it("answer a path express itself refuses (a broken percent-escape) with a 400 in the visitor's language, no stack trace", async () => {
    const french = await fetch(`${app.base}/x/%E0%A4%A`);
    expect(french.status).toBe(400);
    const fr = await french.text();
    expect(fr).toContain('<html lang="fr">');
    expect(textOf(fr)).toContain("Certaines informations ne sont pas valides.");
    const english = await fetch(`${app.base}/x/%`, { headers: { cookie: "rd_follow=x; lang=en" } });
    expect(english.status).toBe(400);
    const en = await english.text();
    expect(en).toContain('<html lang="en">');
    expect(textOf(en)).toContain("Some of the information is not valid.");
    expect(en).not.toMatch(/URIError|at .*\.js/);
    expectSecurityHeaders(english, "express error page");
  });

  it("use a fresh nonce for every response", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++) nonces.add(expectSecurityHeaders(await fetch(`${app.base}/`), "home"));
    expect(nonces.size).toBe(5);
  });

  it("add HSTS when the site is served over HTTPS, and not over plain HTTP", async () => {
    expect((await fetch(`${app.base}/`)).headers.get("strict-transport-security")).toBeNull();
    const build = await import(pathToFileURL(path.join(ROOT, "build/server/index.js")).href);
    const server = createHttpApp({ build, clientDir: path.join(ROOT, "build/client"), https: true }).listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      expectSecurityHeaders(res, "https home");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/** Every Set-Cookie of a response, parsed into name and attributes. */
function cookiesOf(res: Response) {
  return res.headers.getSetCookie().map((raw) => {
    const [pair, ...attrs] = raw.split(";").map((s) => s.trim());
    return { name: pair!.slice(0, pair!.indexOf("=")), raw, attrs: attrs.map((a) => a.toLowerCase()) };
  });
}

function pathIn(text: string, part: string) {
  return new URL(text.match(new RegExp(`https?://\\S+${part}\\S+`))![0]).pathname;
}

/** Every cookie the site sets in the flows people go through, collected from real responses. */
async function collectCookies(t: TestApp) {
  const seen: ReturnType<typeof cookiesOf> = [];
  const keep = (res: Response) => {
    seen.push(...cookiesOf(res));
    return res;
  };
  const person = t.browser();
  const email = `cookie.${Date.now()}@example.fr`;
  keep(await person.post("/demande", validRequest({ email })));
  const confirm = await mailTo(t, email, "Confirmez");
  const reference = /DSR-\d{4}-\d{6}/.exec(confirm.subject!)![0];
  keep(await person.post(pathIn(confirm.text!, "/verification/"), {}));
  keep(await person.get("/langue?to=en&back=/"));
  expect((await person.post("/suivi", { reference, contact: email })).status).toBe(200);
  const follow = await mailTo(t, email, "/suivi/lien/", { inText: true });
  keep(await t.browser().get(pathIn(follow.text!, "/suivi/lien/")));

  const staff = await signedIn(t, "support");
  const again = t.browser();
  keep(await again.post("/admin/connexion", { email: staff.email, password: "correct horse battery staple" }));
  keep(await again.post("/admin/deconnexion", {}));
  return seen;
}

function expectFlags(seen: ReturnType<typeof cookiesOf>, secure: boolean) {
  const names = new Set(seen.map((c) => c.name));
  // The flows set each kind of cookie the site has, and clear some.
  for (const name of ["rd_pending", "rd_follow", "lang", "rd_staff"]) expect([...names], name).toContain(name);
  expect(seen.some((c) => c.attrs.includes("max-age=0"))).toBe(true);
  for (const c of seen) {
    expect(c.attrs, c.raw).toContain("httponly");
    expect(c.attrs, c.raw).toContain("samesite=lax");
    expect(c.attrs, c.raw).toContain("path=/");
    expect(c.attrs.some((a) => a.startsWith("domain=")), c.raw).toBe(false);
    expect(c.attrs.includes("secure"), c.raw).toBe(secure);
  }
}

describe("cookies over plain HTTP", () => {
  withApp();
  it("are all HttpOnly and SameSite=Lax, host-only, and not Secure (the browser would drop them)", async () => {
    expectFlags(await collectCookies(app), false);
  });
});

describe("cookies once BASE_URL is https", () => {
  withApp({ BASE_URL: "https://rightsdesk.example" });
  it("are all Secure as well as HttpOnly and SameSite=Lax", async () => {
    expectFlags(await collectCookies(app), true);
  });
});

describe("hostile requesters", () => {
  withApp();

  it("learn nothing from filing about who has filed before: same status, same redirect, same page", async () => {
    const email = `twice.${Date.now()}@example.fr`;
    const answers = [];
    for (const who of [email, email, `first.${Date.now()}@example.fr`]) {
      const b = app.browser();
      const res = await b.post("/demande", validRequest({ email: who }));
      const page = await b.follow(res);
      answers.push([res.status, res.headers.get("location"), page.status, textOf(await page.text()).replace(/DSR-\d{4}-\d{6}/g, "DSR-…")]);
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it("can use a status link once: the follow cookie it gives keeps the session, a second use or a stranger's replay opens nothing", async () => {
    const person = app.browser();
    const email = `once.${Date.now()}@example.fr`;
    await person.post("/demande", validRequest({ email }));
    const confirm = await mailTo(app, email, "Confirmez");
    const reference = /DSR-\d{4}-\d{6}/.exec(confirm.subject!)![0];
    expect((await person.post(pathIn(confirm.text!, "/verification/"), {})).status).toBe(302);
    const acknowledgementLink = pathIn((await mailTo(app, email, "Nous avons bien reçu")).text!, "/suivi/lien/");
    expect((await app.browser().post("/suivi", { reference, contact: email })).status).toBe(200);
    const link = pathIn((await mailTo(app, email, "Suivre votre demande")).text!, "/suivi/lien/");
    expect(link).not.toBe(acknowledgementLink);

    // First use: the request, and a follow cookie for two hours.
    const visitor = app.browser();
    const first = await visitor.get(link);
    expect(first.headers.get("location")).toBe("/suivi/demande");
    const cookie = cookiesOf(first).find((c) => c.name === "rd_follow")!;
    expect(cookie.attrs).toContain("max-age=7200");
    const claims = JSON.parse(Buffer.from(visitor.cookies.get("rd_follow")!.split(".")[1]!, "base64url").toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(7200);
    const opened = await visitor.follow(first);
    expect(opened.status).toBe(200);
    expect(textOf(await opened.text())).toContain(reference);

    // Second use, by the same browser: the "ask for a new link" page, not the request.
    const again = await visitor.get(link);
    expect(again.headers.get("location")).toBe("/suivi/demande?lien=expire");
    expect(cookiesOf(again).map((c) => c.name)).not.toContain("rd_follow");
    const spent = await visitor.follow(again);
    expect(spent.status).toBe(401);
    const spentText = textOf(await spent.text());
    expect(spentText).toContain("Ce lien de suivi a expiré ou a déjà servi");
    expect(spentText).toContain("Demandez-en un nouveau");
    expect(spentText).not.toContain(reference);

    // A stranger replaying it (a forwarded mail, a proxy log) gets nothing either.
    const stranger = app.browser();
    const replay = await stranger.get(link);
    expect(replay.headers.get("location")).toBe("/suivi/demande?lien=expire");
    expect(stranger.cookies.has("rd_follow")).toBe(false);
    const strangerPage = await stranger.follow(replay);
    expect(strangerPage.status).toBe(401);
    expect(textOf(await strangerPage.text())).not.toContain(reference);

    // The session the first use opened is still there, through every page of it.
    const still = await visitor.get("/suivi/demande");
    expect(still.status).toBe(200);
    expect(textOf(await still.text())).toContain(reference);
    // Each message carries its own link: the acknowledgement's still opens once.
    const other = app.browser();
    expect((await other.get(acknowledgementLink)).headers.get("location")).toBe("/suivi/demande");
    expect((await app.browser().get(acknowledgementLink)).headers.get("location")).toBe("/suivi/demande?lien=expire");
  });

  it("cannot reuse a verification link, nor tamper with or forge the follow cookie", async () => {
    const person = app.browser();
    const email = `tamper.${Date.now()}@example.fr`;
    await person.post("/demande", validRequest({ email }));
    const confirm = await mailTo(app, email, "Confirmez");
    const verifyPath = pathIn(confirm.text!, "/verification/");
    expect((await person.post(verifyPath, {})).status).toBe(302);
    expect((await person.get("/suivi/demande")).status).toBe(200);
    // Used once: dead.
    expect((await app.browser().post(verifyPath, {})).status).toBe(400);

    const jwt = person.cookies.get("rd_follow")!;
    const [head, body, sig] = jwt.split(".");
    const forged = (value: string) => {
      const b = app.browser();
      b.cookies.set("rd_follow", value);
      return b.get("/suivi/demande");
    };
    const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
    const otherBody = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, "base64url").toString()), sub: "1" })).toString("base64url");
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${body}.`;
    for (const value of [`${head}.${body}.${flip(sig!)}`, `${head}.${otherBody}.${sig}`, none, `${head}.${body}`]) {
      expect((await forged(value)).status, value).toBe(401);
    }
  });
});
