import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { chromiumPresent, demoSite } from "../helpers/browser";

/**
 * Issue 16, item 8, in Chromium against the demo: a lost SMS code is one
 * click away from the confirmation page, and /suivi says what is wrong with
 * each field, itself only. The demo's SMS land in the development outbox.
 */
const site = demoSite();
const { context, check } = site;

/** Every code the dev outbox shows for this reference, newest first (the list's order). */
async function codesFor(page: Page, reference: string): Promise<string[]> {
  await page.goto(`${site.base}/dev/outbox`);
  const text = await page.locator("main").innerText();
  return [...text.matchAll(new RegExp(`demande ${reference} est (\\d{6})`, "g"))].map((m) => m[1]!);
}

describe.skipIf(!chromiumPresent)("public flows in a real browser", { timeout: 120_000 }, () => {
  it("a person filing by SMS gets SMS advice, asks for a new code from the confirmation page, and only the new one works", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${site.base}/demande`);
    await page.getByLabel("Accès à mes données").check();
    await page.getByLabel("Nom *", { exact: true }).fill("Lefebvre");
    await page.getByLabel("Prénom *", { exact: true }).fill("Martine");
    await page.getByLabel("Téléphone (portable ou fixe)").fill("06 98 76 54 21");
    await page.getByLabel("Pour moi-même").check();
    await page.getByLabel("Par un code envoyé par SMS").check();
    await page.getByRole("button", { name: "Envoyer ma demande" }).click();
    await page.waitForURL(/\/demande\/envoyee/);
    const main = await page.locator("main").innerText();
    const reference = /DSR-\d{4}-\d{6}/.exec(main)![0];
    expect(main).toContain("qui se termine par 21");
    expect(main).toContain("Le SMS arrive en général en quelques minutes");
    expect(main).not.toContain("courriers indésirables");
    await check(page, "p5-01-sms-filed");

    const outbox = await ctx.newPage();
    const [first] = await codesFor(outbox, reference);
    expect(first).toMatch(/^\d{6}$/);
    await page.getByRole("button", { name: "Recevoir un nouveau code" }).click();
    await page.getByText("Un nouveau code vient d'être envoyé.").waitFor();
    await check(page, "p5-02-code-resent");
    const codes = await codesFor(outbox, reference);
    expect(codes).toHaveLength(2);
    const fresh = codes.find((c) => c !== first)!;

    await page.getByLabel("Code reçu par SMS *").fill(first!);
    await page.getByRole("button", { name: "Confirmer" }).click();
    await page.getByText("Ce code n'est pas valide ou a expiré.").waitFor();
    await page.getByLabel("Code reçu par SMS *").fill(fresh);
    await page.getByRole("button", { name: "Confirmer" }).click();
    await page.waitForURL(/\/suivi\/demande/);
    expect(await page.locator("main").innerText()).toContain(reference);
    await ctx.close();
  });

  it("/suivi flags only the wrong field, with what to type, in French and in English", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${site.base}/suivi`);
    await page.getByLabel("Référence de la demande *").fill("DSR-26-12");
    await page.getByLabel("Adresse électronique ou téléphone portable *").fill("martine@example.fr");
    await page.getByRole("button", { name: "Recevoir le lien de suivi" }).click();
    await page.getByText("Cette référence n'a pas la forme attendue").waitFor();
    expect(await page.getByLabel("Référence de la demande *").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Adresse électronique ou téléphone portable *").getAttribute("aria-invalid")).toBeNull();
    await check(page, "p5-03-suivi-reference");

    await page.getByLabel("Référence de la demande *").fill("");
    await page.getByRole("button", { name: "Recevoir le lien de suivi" }).click();
    await page.getByText("Indiquez la référence de votre demande, par exemple DSR-2026-000123.").waitFor();
    expect(await page.locator("main").innerText()).not.toContain("Cette valeur n'est pas valide");
    await ctx.close();

    const en = await context("en-GB");
    const p = await en.newPage();
    await p.goto(`${site.base}/langue?to=en&back=/suivi`);
    await p.getByRole("button", { name: "Send me the follow-up link" }).click();
    await p.getByText("Enter your request reference, for example DSR-2026-000123.").waitFor();
    await check(p, "p5-04-suivi-en", "en");
    await en.close();
  });
});
