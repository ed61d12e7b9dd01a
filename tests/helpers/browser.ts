import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { startDemo, type DemoProcess } from "./processes";

/**
 * The site started the way `npm run demo` starts it (its own data directory
 * and ports), and Debian's Chromium to drive it: what every browser test file
 * shares. Each key page is screenshotted to .cache/e2e/ and checked with
 * axe-core (no serious or critical violation, <html lang> matching the
 * language); anything refused under the CSP, and any script error, fails the
 * file in afterAll.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ROOT = path.resolve(import.meta.dirname, "../..");
export const SHOTS = path.join(ROOT, ".cache", "e2e");
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe-core's WCAG 2.1 A/AA checks on the page as it is: the serious and
 * critical violations, described. Evaluated through the DevTools protocol,
 * which the page's CSP does not govern (an injected <script> would be refused).
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  })) as { id: string; impact: string; targets: string[] }[];
  return result.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}) at ${v.targets.join(", ")}`);
}

/** Whether this machine has the browser; without it the suites skip (and fail under REQUIRE_SERVICES=1). */
export const chromiumPresent = existsSync(CHROMIUM);
if (!chromiumPresent) {
  if (process.env.REQUIRE_SERVICES === "1") throw new Error(`browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  console.warn(`[e2e] skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}

export const STAFF = {
  dpo: ["dpo@centrecall.example", "demo-dpo-2026"],
  support: ["support@centrecall.example", "demo-support-2026"],
  agent: ["agent.lille@centrecall.example", "demo-agent-lille-2026"],
  admin: ["admin@centrecall.example", "demo-admin-2026"],
} as const;

export type DemoSite = {
  /** http://localhost:<port> */
  readonly base: string;
  /** the demo's data directory (removed after the file) */
  readonly dir: string;
  /** Corinne Desmarc's demo ticket (access and portability), printed by the demo at start */
  readonly corinneTicket: string;
  /** what the demo printed, for a failing test's message */
  output(): string;
  /** `javaScriptEnabled: false` for the pages as a browser without scripts gets them */
  context(locale?: string, viewport?: { width: number; height: number }, options?: { javaScriptEnabled?: boolean }): Promise<BrowserContext>;
  check(page: Page, name: string, lang?: string): Promise<void>;
  signIn(who: keyof typeof STAFF, viewport?: { width: number; height: number }): Promise<Page>;
  openMail(page: Page, subject: string): Promise<void>;
  /** Reloads `url` until its main text includes `text` (30 s). */
  waitFor(page: Page, text: string, url: string): Promise<void>;
};

/**
 * Registers beforeAll/afterAll for one test file: the demo site on free
 * ports, one Chromium. Call at the top of the file; use the returned handle
 * inside tests (its fields are set once beforeAll ran).
 */
export function demoSite(): DemoSite {
  let demo: DemoProcess | undefined;
  let browser: Browser | undefined;
  let base = "";
  let dir = "";
  let corinneTicket = "";
  const browserErrors: string[] = [];

  beforeAll(async () => {
    if (!chromiumPresent) return;
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-e2e-"));
    demo = await startDemo(dir, { host: "localhost", timeoutMs: 90_000 });
    base = demo.base;
    corinneTicket = /6\. Ticket (DSR-\d{4}-\d{6})/.exec(demo.output())?.[1] ?? "";
    if (!corinneTicket) throw new Error(`the demo printed no ticket for Corinne:\n${demo.output()}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  }, 120_000);

  afterAll(async () => {
    if (chromiumPresent) expect(browserErrors).toEqual([]);
    await browser?.close();
    await demo?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function context(locale = "fr-FR", viewport = { width: 1280, height: 900 }, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
    // The site's strict CSP stays on: the journeys prove the pages work under it.
    const ctx = await browser!.newContext({ locale, acceptDownloads: true, viewport, ...options });
    // Chromium does not log every refusal to the console (one the page's script catches, such as
    // zod's eval probe, only fires the event): report the event itself as a console error.
    await ctx.addInitScript(() =>
      document.addEventListener("securitypolicyviolation", (e) => console.error(`Refused by the Content Security Policy: ${e.violatedDirective} ${e.blockedURI}`)),
    );
    ctx.on("page", (page) => {
      page.on("pageerror", (e) => browserErrors.push(`${page.url()}: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) browserErrors.push(`${page.url()}: ${m.text()}`);
      });
    });
    return ctx;
  }

  async function check(page: Page, name: string, lang = "fr") {
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    expect(await page.locator("html").getAttribute("lang"), name).toBe(lang);
    // The app's scripts ran under the CSP: Remix hydrated the page.
    expect(await page.evaluate(() => "__remixRouter" in window), `${name} hydrated`).toBe(true);
    const serious = await seriousAxeViolations(page);
    expect(serious, `${name}: ${page.url()}`).toEqual([]);
  }

  async function signIn(who: keyof typeof STAFF, viewport?: { width: number; height: number }) {
    const ctx = await context("fr-FR", viewport);
    const page = await ctx.newPage();
    await page.goto(`${base}/admin/connexion`);
    await page.getByLabel("Adresse électronique").fill(STAFF[who][0]);
    await page.getByLabel("Mot de passe").fill(STAFF[who][1]);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/admin/connexion"));
    return page;
  }

  async function openMail(page: Page, subject: string) {
    await page.goto(`${base}/dev/outbox`);
    const href = await page.getByRole("link", { name: new RegExp(subject) }).first().getAttribute("href");
    await page.goto(`${base}${href}`);
    await page.getByRole("heading", { name: new RegExp(subject) }).first().waitFor();
  }

  async function waitFor(page: Page, text: string, url: string) {
    for (let i = 0; i < 30; i++) {
      await page.goto(url);
      if ((await page.locator("main").innerText()).includes(text)) return;
      await page.waitForTimeout(1_000);
    }
    throw new Error(`"${text}" never appeared on ${url}`);
  }

  return {
    get base() {
      return base;
    },
    get dir() {
      return dir;
    },
    get corinneTicket() {
      return corinneTicket;
    },
    output: () => demo?.output() ?? "",
    context,
    check,
    signIn,
    openMail,
    waitFor,
  };
}
