import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { eq } from "drizzle-orm";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requests } from "../../db/schema/requests";
import { seedRegister } from "../../scripts/seed-register";
import { buildArchive, type ArchiveKind } from "../../app/services/archive.server";
import { closeConnectors, connectors } from "../../app/utils/connectors.server";
import { startApp, type TestApp } from "../helpers/app";
import { CHROMIUM, chromiumPresent, seriousAxeViolations, SHOTS } from "../helpers/browser";
import { controllersInstruct, corinneInPerson, gatherAll, withDemoConnectors } from "../helpers/connectors";
import { ticketRow } from "../helpers/tickets";
import { unzipEntries } from "../helpers/zip";

/**
 * The readable copy as the person opens it: a real archive built in-process
 * (the demo systems, a real gather), unzipped to a folder, and its letter and
 * pages opened from disk (file://) in Debian's Chromium — no server, as on
 * the person's computer. Each is screenshotted to .cache/e2e/ and checked with
 * axe-core; the letter's links must lead to its pages.
 */

let app: TestApp;
let browser: Browser;
const folders: Record<string, string> = {};

async function unpacked(kind: ArchiveKind, locale: "fr" | "en", name: string) {
  const { reference, browser: staff } = await corinneInPerson(app, ["access", "portability"]);
  if (locale === "en") await app.db().update(requests).set({ locale: "en" }).where(eq(requests.reference, reference));
  await gatherAll(app, staff, reference);
  await controllersInstruct(app, staff, reference);
  const out = path.join(app.dir, `${name}.zip`);
  await buildArchive({ db: app.db(), requestId: (await ticketRow(reference)).id, kind, out, now: new Date(), registry: connectors() });
  const dir = path.join(SHOTS, "archive", name);
  rmSync(dir, { recursive: true, force: true });
  for (const [entry, bytes] of await unzipEntries(out)) {
    mkdirSync(path.dirname(path.join(dir, entry)), { recursive: true });
    writeFileSync(path.join(dir, entry), bytes);
  }
  return dir;
}

beforeAll(async () => {
  if (!chromiumPresent) return;
  app = await startApp();
  await withDemoConnectors(app);
  await seedRegister(app.db(), new Date());
  folders.fr = await unpacked("access", "fr", "access-fr");
  folders.en = await unpacked("access", "en", "access-en");
  folders.portability = await unpacked("portability", "fr", "portability-fr");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await closeConnectors();
  await app?.stop();
});

/** Screenshot, language, axe (no serious or critical violation), and nothing wider than the screen but a table in its own box. */
async function checkDocument(page: Page, shot: string, lang: string) {
  await page.screenshot({ path: path.join(SHOTS, `${shot}.png`), fullPage: true });
  expect(await page.locator("html").getAttribute("lang"), shot).toBe(lang);
  expect(await seriousAxeViolations(page), shot).toEqual([]);
  expect(await page.locator("h1").count(), shot).toBe(1);
}

describe.skipIf(!chromiumPresent)("the readable copy in a real browser", { timeout: 120_000 }, () => {
  it("opens the French letter from disk; every link in it leads to a page of the archive, each readable and accessible", async () => {
    const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const letterUrl = pathToFileURL(path.join(folders.fr!, "LISEZ-MOI.html")).href;
    await page.goto(letterUrl);
    await checkDocument(page, "archive-01-letter-fr", "fr");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Votre demande d'accès à vos données personnelles");

    const links = await page.locator("a[href]").evaluateAll((as) => as.map((a) => ({ href: (a as HTMLAnchorElement).href, text: a.textContent ?? "" })));
    const local = [...new Set(links.filter((l) => l.href.startsWith("file:")).map((l) => l.href.split("#")[0]!))];
    expect(local.length).toBeGreaterThanOrEqual(6);
    let n = 2;
    for (const href of local) {
      await page.goto(letterUrl);
      // Follow the link as a person does: by clicking it.
      await page.locator(`a[href^="${path.posix.relative(path.dirname(new URL(letterUrl).pathname), new URL(href).pathname)}"]`).first().click();
      await page.waitForLoadState("load");
      expect(page.url().split("#")[0]).toBe(href);
      const name = path.basename(new URL(href).pathname, ".html");
      await checkDocument(page, `archive-${String(n++).padStart(2, "0")}-${name}`, "fr");
      // Each page leads back to the letter.
      await page.getByRole("link", { name: "Retour à la lettre qui accompagne vos données" }).click();
      expect(page.url()).toBe(letterUrl);
    }

    // The recordings page links each call's audio file, present beside it.
    await page.goto(pathToFileURL(path.join(folders.fr!, "lire/recordings-recordings.html")).href);
    const audio = page.getByRole("link", { name: "Écouter l'enregistrement" });
    expect(await audio.count()).toBeGreaterThanOrEqual(2);
    for (const href of await audio.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))) {
      const res = await page.request.fetch(href).catch(() => null);
      if (res) expect(res.ok(), href).toBe(true);
      else expect(href).toMatch(/\/recordings\/[^/]+\.wav$/);
    }
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it("fits a 375 px phone: only a table may scroll, inside its own box", async () => {
    const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 375, height: 800 } });
    const page = await ctx.newPage();
    for (const file of ["LISEZ-MOI.html", "lire/survey-answers.html", "lire/survey-respondents.html", "lire/traitements.html"]) {
      await page.goto(pathToFileURL(path.join(folders.fr!, file)).href);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, file).toBeLessThanOrEqual(375);
      // A table that scrolls inside its box is reachable with the keyboard (axe: scrollable-region-focusable).
      expect(await seriousAxeViolations(page), file).toEqual([]);
    }
    await page.goto(pathToFileURL(path.join(folders.fr!, "lire/survey-answers.html")).href);
    await page.screenshot({ path: path.join(SHOTS, "archive-20-answers-375.png"), fullPage: true });
    await ctx.close();
  });

  it("opens the English letter and its pages in English, and the portability letter in French", async () => {
    const ctx = await browser.newContext({ locale: "en-GB", viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(pathToFileURL(path.join(folders.en!, "LISEZ-MOI.html")).href);
    await checkDocument(page, "archive-30-letter-en", "en");
    await page.getByRole("link", { name: "Your survey answers" }).click();
    await checkDocument(page, "archive-31-answers-en", "en");
    expect(await page.getByRole("columnheader", { name: "Question asked" }).count()).toBe(1);

    await page.goto(pathToFileURL(path.join(folders.portability!, "LISEZ-MOI.html")).href);
    await checkDocument(page, "archive-40-letter-portability", "fr");
    await page.getByRole("link", { name: "Vos réponses aux questionnaires" }).click();
    await checkDocument(page, "archive-41-answers-portability", "fr");
    await ctx.close();
  });
});
