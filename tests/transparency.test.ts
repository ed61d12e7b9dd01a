import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processingOperations } from "../db/schema/register";
import { seedRegister } from "../scripts/seed-register";
import { catalogues } from "../app/i18n";
import { Browser, startApp, textOf, type TestApp } from "./helpers/app";
import { mailTo } from "./helpers/smtp-sink";
import { fileOne } from "./helpers/requester";
import { verifiedByEmail } from "./helpers/requester";
import { signedIn } from "./helpers/staff";
import { first } from "../app/utils/db.server";

/**
 * Item 5 of issue 15: the privacy notice (Art. 13), the legal mentions (LCEN),
 * the cookies and the accessibility statement (RGAA), French and English,
 * linked from every public page's footer, every fact from
 * organisation.config.json or the register. The pages are read over HTTP from
 * the production build, with an organisation that is not CentreCall.
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const REPO_CONFIG = path.join(ROOT, "organisation.config.json");

/** Another company than the repository's: any "CentreCall" left on a page was hard-coded. */
const TEST_ORGANISATION = {
  controller: {
    name: "Sondages Vauban",
    legalForm: "SARL au capital de 42 000 €",
    registration: "RCS Lyon 812 345 678",
    address: "7, quai Test\n69002 Lyon\nFrance",
    phone: "+33 4 72 11 22 33",
    email: "contact@vauban-sondages.example",
    representative: "Gérant de Sondages Vauban",
  },
  dpo: { name: "Cabinet DPO Externe", email: "dpo@vauban-sondages.example", address: "Cabinet DPO Externe\n12, rue du Contrôle\n69003 Lyon" },
  publicationDirector: "Alexandre Rédacteur",
  host: { name: "Hébergement Rhône SAS", address: "99, avenue des Serveurs\n69100 Villeurbanne", phone: "+33 4 78 98 76 54" },
  supervisoryAuthority: { name: "Commission nationale de l'informatique et des libertés (CNIL)", address: "3 place de Fontenoy, TSA 80715\n75334 Paris Cedex 07", url: "https://www.cnil.fr/fr/plaintes" },
  accessibilityContact: "a11y@vauban-sondages.example",
  accessibility: {
    statementDate: "2026-10-15",
    audit: { date: "2026-09-30", auditor: "Cabinet Accès Pour Tous", rate: 62.5, pages: ["/", "/demande"] },
    checks: { date: "2026-10-01", tools: ["Outil de contrôle Zeta 9"], pages: ["/", "/suivi"] },
    knownIssues: [{ fr: "Le captcha imaginaire n'a pas d'alternative.", en: "The imaginary captcha has no alternative." }],
  },
};

const PAGES = [
  { path: "/confidentialite", title: { fr: "Politique de confidentialité", en: "Privacy notice" } },
  { path: "/mentions-legales", title: { fr: "Mentions légales", en: "Legal notice" } },
  { path: "/cookies", title: { fr: "Cookies", en: "Cookies" } },
  { path: "/accessibilite", title: { fr: "Déclaration d'accessibilité", en: "Accessibility statement" } },
] as const;

/** A browser that keeps every Set-Cookie header any response sent it, deletions included. */
class RecordingBrowser extends Browser {
  static seen: { name: string; maxAge: number; header: string }[] = [];
  override async request(pathname: string, init: RequestInit & { origin?: string | null } = {}) {
    const res = await super.request(pathname, init);
    for (const header of res.headers.getSetCookie()) {
      const name = header.slice(0, header.indexOf("="));
      RecordingBrowser.seen.push({ name, maxAge: Number(/Max-Age=(\d+)/i.exec(header)?.[1] ?? NaN), header });
    }
    return res;
  }
}

async function page(browser: Browser, p: string) {
  const res = await browser.get(p);
  const html = await res.text();
  return { status: res.status, html, text: textOf(html), lang: /<html lang="([a-z]+)"/.exec(html)?.[1], title: textOf(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? "").trim() };
}

async function inEnglish(app: TestApp) {
  const browser = app.browser();
  expect((await browser.get("/langue?to=en&back=/")).status).toBe(302);
  return browser;
}

/** The footer's links, by href, with their text. */
function footerLinks(html: string): Map<string, string> {
  const footer = /<footer[\s\S]*?<\/footer>/.exec(html)?.[0] ?? "";
  return new Map([...footer.matchAll(/<a [^>]*href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => [m[1]!, textOf(m[2]!).trim()]));
}

describe("with another organisation's configuration", () => {
  let app: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-org-"));
    const file = path.join(dir, "organisation.json");
    writeFileSync(file, JSON.stringify(TEST_ORGANISATION));
    app = await startApp({ env: { ORGANISATION_CONFIG: file, UNVERIFIED_EXPIRY_DAYS: "9", INFO_REQUEST_CLOSE_DAYS: "41" } });
    app.browser = () => new RecordingBrowser(app.base);
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the privacy notice with an empty register answers 200 and says the register does not describe it yet, rather than inventing purposes", async () => {
    const fr = await page(app.browser(), "/confidentialite");
    expect(fr.status).toBe(200);
    expect(fr.text).toContain("ne décrit pas encore ce traitement");
    expect(fr.text).not.toContain("Finalité");
    const en = await page(await inEnglish(app), "/confidentialite");
    expect(en.status).toBe(200);
    expect(en.text).toContain("does not describe this processing yet");
  });

  it("every page answers 200 in French and in English, with its title, its language and the configured facts, and never CentreCall", async () => {
    // The register as a DPO keeps it: seeded, then OP-07 reworded in the back office.
    await seedRegister(app.db(), new Date());
    const op = (await first(app.db().select().from(processingOperations).where(eq(processingOperations.code, "OP-07"))))!;
    const dpo = await signedIn(app, "dpo");
    const saved = await dpo.browser.post("/admin/registre/OP-07", {
      expectedVersion: String(op.version),
      name: "Gestion des demandes Vauban",
      purpose: "Finalité écrite au registre pour le test",
      legalBasis: "Base légale écrite au registre pour le test",
      dataCategories: "Catégorie de données A\nCatégorie de données B",
      personCategories: "Demandeurs",
      recipients: "Destinataire inscrit au registre",
      source: "Source inscrite au registre",
      retention: "Durée écrite au registre : 5 ans après la clôture",
      retentionDays: "1826",
      datasets: "rightsdesk:requests",
      role: "controller",
      // Art. 13(1)(f): the notice states the register's transfers, with their safeguard.
      transfers: "Passerelle SMS Atlantique ; Royaume-Uni ; Décision d'adéquation de la Commission du 28 juin 2021",
    });
    expect(saved.status).toBe(302);

    const en = await inEnglish(app);
    for (const { path: p, title } of PAGES) {
      for (const [locale, browser] of [["fr", app.browser()], ["en", en]] as const) {
        const got = await page(browser, p);
        expect(got.status, `${p} ${locale}`).toBe(200);
        expect(got.lang, `${p} ${locale}`).toBe(locale);
        expect(got.title, `${p} ${locale}`).toBe(`${title[locale]} — Sondages Vauban`);
        expect(got.html, `${p} ${locale}`).toMatch(new RegExp(`<h1[^>]*>${title[locale].replace("'", "(?:'|&#x27;)")}</h1>`));
        expect(got.text, `${p} ${locale}`).toContain("Sondages Vauban");
        expect(got.html, `${p} ${locale}: a fact was hard-coded`).not.toMatch(/centre\s*call/i);
      }
    }
  });

  it("the privacy notice: controller, DPO, the register's purposes, basis, recipients and retention, the configured transfers, the rights with the form, the CNIL", async () => {
    for (const [locale, browser] of [["fr", app.browser()], ["en", await inEnglish(app)]] as const) {
      const { text, html } = await page(browser, "/confidentialite");
      for (const fact of [
        "7, quai Test",
        "contact@vauban-sondages.example",
        "Cabinet DPO Externe",
        "dpo@vauban-sondages.example",
        "Finalité écrite au registre pour le test",
        "Base légale écrite au registre pour le test",
        "Catégorie de données B",
        "Destinataire inscrit au registre",
        "Durée écrite au registre : 5 ans après la clôture",
        "Source inscrite au registre",
        "Passerelle SMS Atlantique (Royaume-Uni)",
        "3 place de Fontenoy",
        "https://www.cnil.fr/fr/plaintes",
      ])
        expect(text, `${locale}: ${fact}`).toContain(fact);
      expect(html).toContain('href="/demande"');
      expect(html).toContain('href="mailto:dpo@vauban-sondages.example"');
      if (locale === "fr") {
        expect(text).toContain("Décision d'adéquation de la Commission du 28 juin 2021");
        expect(text).toContain("article 22 du RGPD");
        // The automatic closures, with the durations actually configured.
        expect(text).toContain("une demande jamais confirmée est classée sans suite 9 jours après son envoi");
        expect(text).toContain("close 41 jours plus tard");
        expect(text).toContain("article 12, paragraphe 6");
        expect(text).not.toContain("ne sont transférées vers aucun pays");
      } else {
        expect(text).toContain("Décision d'adéquation de la Commission du 28 juin 2021"); // the register's words, marked lang="fr"
        expect(text).toContain("Article 22 of the GDPR");
        // The register is kept in French: its texts are marked so (RGAA 8.7).
        expect(html).toMatch(/<dl[^>]*lang="fr"[^>]*>[\s\S]*Finalité écrite au registre pour le test/);
      }
    }
  });

  it("the legal mentions: publisher with form, registration, address, phone and email; publication director; host", async () => {
    for (const browser of [app.browser(), await inEnglish(app)]) {
      const { text } = await page(browser, "/mentions-legales");
      for (const fact of [
        "Sondages Vauban",
        "SARL au capital de 42 000 €",
        "RCS Lyon 812 345 678",
        "7, quai Test 69002 Lyon France",
        "+33 4 72 11 22 33",
        "contact@vauban-sondages.example",
        "Alexandre Rédacteur",
        "Hébergement Rhône SAS",
        "99, avenue des Serveurs 69100 Villeurbanne",
        "+33 4 78 98 76 54",
      ])
        expect(text).toContain(fact);
    }
  });

  it("the accessibility statement states the status the audit gives (62.5 %: partially), the audit, the checks, the known issues, the contact and the Défenseur des droits", async () => {
    const fr = (await page(app.browser(), "/accessibilite")).text;
    expect(fr).toContain("Ce site est partiellement conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1");
    expect(fr).toContain("Cabinet Accès Pour Tous le 30 septembre 2026 révèle que 62,5 % des critères");
    expect(fr).toContain("Outil de contrôle Zeta 9");
    expect(fr).toContain("Le captcha imaginaire n'a pas d'alternative.");
    expect(fr).toContain("établie le 15 octobre 2026");
    expect(fr).toContain("a11y@vauban-sondages.example");
    expect(fr).toContain("https://formulaire.defenseurdesdroits.fr/");
    expect(fr).toContain("09 69 39 00 00");
    expect(fr).toContain("Libre réponse 71120");
    const en = (await page(await inEnglish(app), "/accessibilite")).text;
    expect(en).toContain("This site is partially compliant with the French accessibility framework (RGAA), version 4.1");
    expect(en).toContain("The imaginary captcha has no alternative.");
  });

  it("the home page's footer links the four pages in both languages, naming the accessibility status; so do the form, the follow-up and a page not found", async () => {
    const expected = {
      fr: { "/confidentialite": "Politique de confidentialité", "/mentions-legales": "Mentions légales", "/cookies": "Cookies", "/accessibilite": "Accessibilité : partiellement conforme" },
      en: { "/confidentialite": "Privacy notice", "/mentions-legales": "Legal notice", "/cookies": "Cookies", "/accessibilite": "Accessibility: partially compliant" },
    };
    for (const [locale, browser] of [["fr", app.browser()], ["en", await inEnglish(app)]] as const) {
      for (const p of ["/", "/demande", "/suivi", "/nulle-part"]) {
        const { html } = await page(browser, p);
        const links = footerLinks(html);
        for (const [href, label] of Object.entries(expected[locale])) expect(links.get(href), `${locale} ${p} ${href}`).toBe(label);
        expect(links.get("mailto:dpo@vauban-sondages.example"), `${locale} ${p}`).toBe("dpo@vauban-sondages.example");
        expect(/<footer[\s\S]*?<\/footer>/.exec(html)![0], `${locale} ${p}`).not.toMatch(/centre\s*call/i);
      }
    }
  });

  it("the request form's privacy sentence links to the full notice", async () => {
    const { html } = await page(app.browser(), "/demande");
    const hint = /<p class="hint">[^]*?<\/p>/g;
    const privacy = [...html.matchAll(hint)].map((m) => m[0]).find((p) => p.includes("traiter votre demande"));
    expect(privacy).toMatch(/<a [^>]*href="\/confidentialite"[^>]*>Lire la politique de confidentialité complète<\/a>/);
  });

  it("the emails a person receives are signed by the configured company and DPO, not CentreCall", async () => {
    await fileOne(app, { email: "vauban.requester@example.fr" });
    const mail = await mailTo(app, "vauban.requester@example.fr", "Confirmez");
    expect(mail.text).toContain("Sondages Vauban — Délégué à la protection des données — dpo@vauban-sondages.example");
    expect(`${mail.text}\n${mail.html}`).not.toMatch(/centre\s*call/i);
  });

  it("the cookies page lists every cookie the site sets, with its lifetime, and none it does not set", async () => {
    RecordingBrowser.seen = [];
    // Every path that sets a cookie, as people take them: the language switch,
    // a request filed and confirmed by its link, a follow-up by telephone, a
    // staff sign-in and sign-out.
    await inEnglish(app);
    await verifiedByEmail(app, { email: "cookies.test@example.fr" });
    expect((await app.browser().post("/suivi", { reference: "DSR-2026-000001", contact: "06 12 34 56 78" })).status).toBeLessThan(500);
    const staff = await signedIn(app, "support");
    await staff.browser.post("/admin/deconnexion", {});

    const set = RecordingBrowser.seen.filter((c) => c.maxAge > 0);
    const namesSet = new Set(set.map((c) => c.name));
    const { html } = await page(app.browser(), "/cookies");
    const rows = new Map([...html.matchAll(/<tr><th scope="row"><code>([^<]+)<\/code><\/th>([\s\S]*?)<\/tr>/g)].map((m) => [m[1]!, textOf(m[2]!)]));
    const duration = catalogues.fr.transparency.cookies.duration;
    for (const c of set) {
      expect(rows.has(c.name), `cookie ${c.name} is set but not listed on /cookies`).toBe(true);
      expect(rows.get(c.name), `lifetime of ${c.name}`).toContain(duration(c.maxAge));
    }
    expect([...rows.keys()].sort(), "the page lists a cookie no response sets").toEqual([...namesSet].sort());
    expect(html).toContain("article 82 de la loi n° 78-17 du 6 janvier 1978");
  });
});

describe("with the repository's configuration (the demo's)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { ORGANISATION_CONFIG: REPO_CONFIG } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("declares the site non conforme, because no RGAA audit has been done, and lists the automated checks actually run", async () => {
    const config = JSON.parse(readFileSync(REPO_CONFIG, "utf8")) as { accessibility: { audit: unknown } };
    expect(config.accessibility.audit).toBeNull();
    const { text } = await page(app.browser(), "/accessibilite");
    expect(text).toContain("Ce site est non conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1");
    expect(text).toContain("Aucun audit de conformité aux critères du RGAA n'a été réalisé à ce jour");
    expect(text).not.toMatch(/révèle que [\d,]+ %/);
    expect(text).toContain("axe-core");
    const home = await page(app.browser(), "/");
    expect(footerLinks(home.html).get("/accessibilite")).toBe("Accessibilité : non conforme");
    // The checks named are those the browser tests run: axe-core over these pages.
    const e2e = readFileSync(path.join(ROOT, "tests/e2e/journeys.test.ts"), "utf8");
    expect(e2e).toContain("axe-core");
    for (const p of ["/confidentialite", "/mentions-legales", "/cookies", "/accessibilite"]) expect(e2e, p).toContain(`"${p}"`);
  });

  it("says there is no transfer outside the EU because the configuration lists none", async () => {
    const { text } = await page(app.browser(), "/confidentialite");
    expect(text).toContain("Les données de ce traitement ne sont transférées vers aucun pays situé hors de l'Union européenne.");
    expect(text).toContain("dpo@centrecall.example");
  });
});

describe("start-up", () => {
  function serve(config: string | object) {
    const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-badorg-"));
    const file = path.join(dir, "organisation.json");
    writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
    const run = spawnSync(TSX, ["scripts/serve.ts"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        APP_ENV: "test",
        APP_SECRET: "x".repeat(40),
        DATA_DIR: dir,
        PORT: "0",
        CONNECTORS_CONFIG: path.join(dir, "none.json"),
        ORGANISATION_CONFIG: file,
        WORKERS: "0",
      },
      encoding: "utf8",
      timeout: 20_000,
    });
    rmSync(dir, { recursive: true, force: true });
    return run;
  }

  it("refuses to start with an invalid organisation file, naming each wrong field", () => {
    const { publicationDirector: _, ...withoutDirector } = TEST_ORGANISATION;
    const run = serve({ ...withoutDirector, controller: { ...TEST_ORGANISATION.controller, email: "not an address" } });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Invalid organisation configuration");
    expect(run.stderr).toContain("controller.email");
    expect(run.stderr).toContain("publicationDirector");
    expect(run.stdout).not.toContain("listening");
  });

  it("refuses an audit rate outside 0-100 and a file that is not JSON", () => {
    const rate = serve({ ...TEST_ORGANISATION, accessibility: { ...TEST_ORGANISATION.accessibility, audit: { ...TEST_ORGANISATION.accessibility.audit, rate: 150 } } });
    expect(rate.status).toBe(1);
    expect(rate.stderr).toContain("accessibility.audit.rate");
    const broken = serve("{ not json");
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain("Invalid organisation configuration");
  });
});
