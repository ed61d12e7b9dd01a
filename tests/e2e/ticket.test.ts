import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { chromiumPresent, demoSite, STAFF } from "../helpers/browser";

/**
 * The staff ticket page in Chromium (issue 16, items 3 and 4): what cannot be
 * undone is confirmed in a modal dialog with the keyboard, and on a server
 * page without JavaScript; an approved erasure shows its progress and its end
 * without a reload.
 */
const site = demoSite();
const { context, check, signIn } = site;

/** Open tickets from the queue that can still be refused (not Corinne's: the other tests use hers). */
async function refusable(page: Page, skip: string[] = []): Promise<string> {
  await page.goto(`${site.base}/admin`);
  const refs = await page.locator('main a[href^="/admin/demandes/DSR-"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
  for (const ref of refs) {
    if (ref.includes(site.corinneTicket) || skip.includes(ref)) continue;
    await page.goto(`${site.base}${ref}`);
    if (await page.getByRole("button", { name: "Refuser", exact: true }).count()) return ref;
  }
  throw new Error("no ticket that can be refused");
}

/** The keyboard tests press keys once the app runs (React's handlers attached), as a person would after the page has loaded. */
const hydrated = (page: Page) => page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete");
const statusOf = (page: Page) => page.locator("dd[data-status]").getAttribute("data-status");
const focusInDialog = (page: Page) => page.evaluate(() => !!document.activeElement?.closest("dialog[open]"));
const isModal = (page: Page) => page.evaluate(() => document.querySelector("dialog[open]")?.matches(":modal") ?? false);

describe.skipIf(!chromiumPresent)("the ticket page in a real browser", { timeout: 180_000 }, () => {
  let refusedWithJs = "";

  it("a refusal asks in a modal dialog: the keyboard opens it, focus is inside, Escape cancels, confirming refuses", async () => {
    const page = await signIn("dpo");
    refusedWithJs = await refusable(page);
    await page.getByLabel("Demande excessive (notamment répétitive)").check();
    await page.getByLabel("Explication (communiquée au demandeur)").fill("Troisième demande identique ce mois-ci.");
    const refuse = page.getByRole("button", { name: "Refuser", exact: true });
    await hydrated(page);
    await refuse.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Confirmer une action définitive" });
    await dialog.waitFor();
    expect(await isModal(page)).toBe(true);
    expect(await focusInDialog(page)).toBe(true);
    expect(await dialog.innerText()).toMatch(/Refuser la demande DSR-\d{4}-\d{6} : le demandeur sera informé par courriel du motif « Demande excessive \(notamment répétitive\) » ; la demande sera close et ne pourra pas être rouverte\./);
    await check(page, "50-confirm-refuse");

    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await statusOf(page)).not.toBe("refused");
    // Focus goes back to the button that asked.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Refuser");

    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Confirmer le refus" }).click();
    await page.getByText(/^Demande refusée ; /).waitFor();
    expect(await statusOf(page)).toBe("refused");
    await page.context().close();
  });

  it("without JavaScript, the server answers a confirmation page: going back does nothing, confirming refuses", async () => {
    const ctx = await context("fr-FR", undefined, { javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${site.base}/admin/connexion`);
    await page.getByLabel("Adresse électronique").fill(STAFF.dpo[0]);
    await page.getByLabel("Mot de passe").fill(STAFF.dpo[1]);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/admin/connexion"));
    const ref = await refusable(page, [refusedWithJs]);
    const ask = async () => {
      await page.getByLabel("Identité non établie").check();
      await page.getByLabel("Explication (communiquée au demandeur)").fill("Les pièces fournies ne permettent pas de vous identifier.");
      await page.getByRole("button", { name: "Refuser", exact: true }).click();
      await page.getByText(/le demandeur sera informé .* du motif « Identité non établie »/).waitFor();
    };
    await ask();
    expect(await statusOf(page)).not.toBe("refused");
    await page.getByRole("link", { name: "Revenir sans rien faire" }).click();
    await page.waitForURL(`${site.base}${ref}`);
    expect(await page.getByText("Confirmer le refus").count()).toBe(0);
    expect(await statusOf(page)).not.toBe("refused");

    await ask();
    await page.getByRole("button", { name: "Confirmer le refus" }).click();
    await page.getByText(/^Demande refusée ; /).waitFor();
    expect(await statusOf(page)).toBe("refused");
    await ctx.close();
  });

  it("publishing asks with the archive's counts; an approved erasure shows its progress and its end without a reload", async () => {
    const support = await signIn("support");
    const ticket = `${site.base}/admin/demandes/${site.corinneTicket}`;
    await support.goto(ticket);
    await support.getByRole("button", { name: "Lancer la collecte" }).click();
    // The gather's progress comes by itself, as the erasure's will.
    await support.getByRole("button", { name: "Rechercher aussi avec +33247000000" }).waitFor({ timeout: 60_000 });
    await support.getByRole("button", { name: "Rechercher aussi avec +33247000000" }).click();
    await support.getByRole("button", { name: "Préparer le plan d'effacement" }).waitFor({ timeout: 60_000 });

    const dpo = await signIn("dpo");
    await dpo.goto(ticket);
    const publish = dpo.getByRole("button", { name: "Préparer et publier l'archive d'accès" });
    await hydrated(dpo);
    await publish.focus();
    await dpo.keyboard.press("Enter");
    const dialog = dpo.getByRole("dialog", { name: "Confirmer une action définitive" });
    await dialog.waitFor();
    expect(await focusInDialog(dpo)).toBe(true);
    expect(await dialog.innerText()).toMatch(/Publier l'archive d'accès \(art\. 15\) de la demande DSR-\d{4}-\d{6} : \d+ enregistrements? trouvés? dans \d+ systèmes?/);
    await dpo.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await dpo.getByText(/Archive d'accès publiée/).count()).toBe(0);
    await dpo.keyboard.press("Enter");
    await dialog.waitFor();
    // Focus starts on "go back" (the harmless choice); the confirmation is one Shift+Tab away.
    await dpo.keyboard.press("Shift+Tab");
    expect(await dpo.evaluate(() => document.activeElement?.textContent)).toBe("Confirmer la publication");
    await dpo.keyboard.press("Enter");
    await dpo.getByText(/^Archive d'accès publiée ; /).waitFor();

    await support.goto(ticket);
    await support.getByRole("button", { name: "Préparer le plan d'effacement" }).click();
    await support.getByText("Plan à approuver").first().waitFor();

    await dpo.goto(ticket);
    await dpo.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    await dpo.getByRole("button", { name: "Approuver et lancer l'effacement" }).click();
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain("L'exécution commence aussitôt et ne peut pas être annulée");
    await dialog.getByRole("button", { name: "Confirmer et lancer l'effacement" }).click();
    // No goto, no reload: the page comes to say it by itself, in its live region.
    const live = dpo.locator("[data-progress]");
    await live.getByText("Effacement terminé et vérifié : certificat disponible.").waitFor({ timeout: 90_000 });
    expect(await live.getAttribute("aria-live")).toBe("polite");
    expect(await dpo.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await check(dpo, "51-erasure-live-done");
    await support.context().close();
    await dpo.context().close();
  });
});
