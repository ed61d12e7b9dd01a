import { describe, expect, it } from "vitest";
import { chromiumPresent, demoSite } from "../helpers/browser";

/**
 * Review before release (ADR 0016) in Debian's Chromium: support reads the
 * access archive's preview, withholds an answer with the keyboard alone, the
 * ticket page says publishing waits for the DPO, the DPO approves with the
 * mouse and publishes. Every page passes axe.
 */
const site = demoSite();
const { check, signIn, waitFor } = site;

describe.skipIf(!chromiumPresent)("reviewing an archive in a real browser", { timeout: 150_000 }, () => {
  it("support withholds an item from the preview with the keyboard; publishing waits; the DPO approves and publishes", async () => {
    const ticket = `${site.base}/admin/demandes/${site.corinneTicket}`;
    const support = await signIn("support");
    await support.goto(ticket);
    await support.getByRole("button", { name: "Lancer la collecte" }).click();
    await waitFor(support, "Identifiants trouvés dans les données", ticket);
    await support.getByRole("button", { name: "Rechercher aussi avec +33247000000" }).click();
    await waitFor(support, "Examiner le contenu de l'archive d'accès", ticket);

    await support.getByRole("link", { name: "Examiner le contenu de l'archive d'accès" }).click();
    await support.getByRole("heading", { level: 1, name: /Aperçu de l'archive d'accès/ }).waitFor();
    await check(support, "40-archive-preview");
    const main = await support.locator("main").innerText();
    expect(main).toContain("Aucun retrait n'a été proposé.");

    // Keyboard only: focus the first "withhold" disclosure of the survey answers, open it, pick the ground, submit.
    const answers = support.locator('[data-dataset="survey:answers"]');
    const summary = answers.locator("summary").first();
    await summary.focus();
    await support.keyboard.press("Enter");
    const form = answers.locator("details[open] form").first();
    await form.getByLabel("Élément à retirer").focus();
    await support.keyboard.press("Tab"); // the archive concerned (Corinne asks for both)
    expect(await support.evaluate(() => (document.activeElement as HTMLSelectElement | null)?.value)).toBe("access");
    await support.keyboard.press("Tab"); // the first ground, checked by default
    expect(await support.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe("others_rights");
    await form.getByLabel("Note interne (facultative)").focus();
    await support.keyboard.type("Réponse qui cite une collègue par son nom.");
    await support.keyboard.press("Tab");
    await support.keyboard.press("Enter");
    await support.getByText("Le retrait est proposé").waitFor();
    await check(support, "41-archive-preview-proposed");

    // The ticket page explains why the access archive cannot be published yet, and links to the preview.
    const dpo = await signIn("dpo");
    await dpo.goto(ticket);
    await dpo.getByText("un retrait d'élément attend la décision du ou de la DPO").first().waitFor();
    expect(await dpo.getByRole("button", { name: "Préparer et publier l'archive d'accès" }).count()).toBe(0);
    await check(dpo, "42-ticket-withholding-pending");

    // The DPO approves with the mouse, then publishes.
    await dpo.getByRole("link", { name: "Examiner le contenu de l'archive d'accès" }).first().click();
    await dpo.getByRole("button", { name: /^Approuver le retrait/ }).first().click();
    await dpo.getByText("Retrait approuvé").first().waitFor();
    await check(dpo, "43-archive-preview-approved");
    await dpo.goto(ticket);
    await dpo.getByRole("button", { name: "Préparer et publier l'archive d'accès" }).click();
    await dpo.getByRole("dialog").getByRole("button", { name: "Confirmer la publication" }).click();
    await dpo.getByText(/Archive d'accès publiée/).first().waitFor();
    await support.context().close();
    await dpo.context().close();
  });
});
