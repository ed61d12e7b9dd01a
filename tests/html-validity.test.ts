import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../db/schema/enums";
import { seedRegister } from "../scripts/seed-register";
import { formatNu, javaPresent, nuErrors, PUBLIC_PAGES } from "../scripts/html-check";
import { startApp, textOf, type Browser, type TestApp } from "./helpers/app";
import { mailTo } from "./helpers/smtp-sink";
import { fileOne, linkIn, verifiedByEmail } from "./helpers/requester";
import { signedIn } from "./helpers/staff";

/**
 * Every page a person or a member of staff can reach on a fresh site, in
 * French and in English, checked by the Nu HTML Checker (vnu.jar) in one run:
 * no error. The walk is a list: a new page is one line in PUBLIC_PAGES
 * (scripts/html-check.ts, shared with `npm run budget`) or below.
 */

const java = javaPresent();
if (!java) {
  if (process.env.REQUIRE_SERVICES === "1") throw new Error("the HTML validity test needs Java 11 or later for vnu.jar (apt-get install -y default-jre-headless)");
  console.warn("[html-validity] skipped: no `java` on the PATH (apt-get install -y default-jre-headless)");
}

type Context = { reference: string; operation: string; client: string | null };

/** Back-office pages, each as the role that works there; `null` paths are skipped when the fresh site has nothing to show. */
const BACK_OFFICE_PAGES: { name: string; as: Role; path: (c: Context) => string | null }[] = [
  { name: "queue", as: "dpo", path: () => "/admin" },
  { name: "queue-all", as: "dpo", path: () => "/admin?status=all" },
  { name: "queue-overdue", as: "dpo", path: () => "/admin?due=overdue" },
  { name: "ticket", as: "dpo", path: (c) => `/admin/demandes/${c.reference}` },
  { name: "intake", as: "agent", path: () => "/admin/saisie" },
  { name: "journal", as: "dpo", path: () => "/admin/journal" },
  { name: "reports", as: "dpo", path: () => "/admin/rapports" },
  { name: "connectors", as: "admin", path: () => "/admin/connecteurs" },
  { name: "team", as: "admin", path: () => "/admin/equipe" },
  { name: "account", as: "dpo", path: () => "/admin/compte" },
  { name: "register", as: "dpo", path: () => "/admin/registre" },
  { name: "register-operation", as: "dpo", path: (c) => `/admin/registre/${c.operation}` },
  { name: "register-clients", as: "dpo", path: () => "/admin/registre/clients" },
  { name: "register-client", as: "dpo", path: (c) => (c.client ? `/admin/registre/clients/${c.client}` : null) },
  { name: "retention", as: "dpo", path: () => "/admin/conservation" },
];

let app: TestApp;
let dir: string;
const saved: { file: string; label: string; status: number }[] = [];

async function save(browser: Browser, pathname: string, label: string, form?: Record<string, string | string[]>) {
  const res = form ? await browser.post(pathname, form) : await browser.get(pathname);
  const html = await res.text();
  const file = path.join(dir, `${label.replace(/[^\w.-]+/g, "_")}.html`);
  writeFileSync(file, html);
  saved.push({ file, label: `${label} (${pathname})`, status: res.status });
  return html;
}

async function inLanguage(browser: Browser, locale: "fr" | "en") {
  expect((await browser.get(`/langue?to=${locale}&back=/`)).status).toBe(302);
}

describe.skipIf(!java)("the Nu HTML Checker finds no error", () => {
  beforeAll(async () => {
    app = await startApp();
    dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-html-"));
    mkdirSync(dir, { recursive: true });

    // What the public sees: the pages anyone reaches, then a request filed
    // and confirmed through the real form, link and status page.
    for (const locale of ["fr", "en"] as const) {
      const visitor = app.browser();
      await inLanguage(visitor, locale);
      for (const p of PUBLIC_PAGES) await save(visitor, p, `${locale}-public${p}`);
      await save(visitor, "/admin/connexion", `${locale}-sign-in`);

      const email = `html.${locale}@example.fr`;
      const filed = await fileOne(app, { email });
      await inLanguage(filed.browser, locale);
      await save(filed.browser, "/demande/envoyee", `${locale}-filed`);
      const confirm = linkIn((await mailTo(app, email, locale === "fr" ? "Confirmez" : "Confirm")).text!, "/verification/");
      await save(filed.browser, confirm, `${locale}-confirm-link`);
    }
    const { browser: requester, reference } = await verifiedByEmail(app, { email: "html.status@example.fr" });
    for (const locale of ["fr", "en"] as const) {
      await inLanguage(requester, locale);
      await save(requester, "/suivi/demande", `${locale}-status`);
    }

    // The back office, each page as the role that uses it.
    const staff = new Map<Role, Browser>();
    for (const role of new Set(BACK_OFFICE_PAGES.map((p) => p.as))) staff.set(role, (await signedIn(app, role)).browser);
    // The register as the demo seeds it: its operations and the clients it names.
    await seedRegister(app.db(), new Date());
    const register = await (await staff.get("dpo")!.get("/admin/registre")).text();
    const operation = /href="\/admin\/registre\/(OP-[\w-]+)"/.exec(register)?.[1];
    expect(operation, "the fresh register lists its operations").toBeTruthy();
    const clients = await (await staff.get("dpo")!.get("/admin/registre/clients")).text();
    const client = /href="\/admin\/registre\/clients\/([^"/?]+)"/.exec(clients)?.[1] ?? null;
    const context: Context = { reference, operation: operation!, client };
    for (const locale of ["fr", "en"] as const) {
      for (const browser of staff.values()) await inLanguage(browser, locale);
      for (const page of BACK_OFFICE_PAGES) {
        const p = page.path(context);
        if (p) await save(staff.get(page.as)!, p, `${locale}-${page.name}`);
      }
      // What an irreversible action answers before it acts: the confirmation, rendered by the server (no JavaScript).
      await save(staff.get("dpo")!, `/admin/demandes/${reference}`, `${locale}-ticket-confirm-refusal`, { intent: "refuse", reasons: ["excessive"], text: "Troisième demande identique ce mois-ci." });
    }
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("every page was served as the person would see it (200; 404 for the unknown address)", () => {
    const wrong = saved.filter((s) => s.status !== (s.label.includes("page-qui-n-existe-pas") ? 404 : 200)).map((s) => `${s.label}: ${s.status}`);
    expect(wrong).toEqual([]);
    // Both languages of every page, the public and the back office.
    expect(saved.length).toBeGreaterThanOrEqual(2 * (PUBLIC_PAGES.length + BACK_OFFICE_PAGES.length));
  });

  it("each public page describes itself in its own language, and the favicon is there", async () => {
    const described = new Map<string, string>();
    for (const locale of ["fr", "en"] as const) {
      const visitor = app.browser();
      await inLanguage(visitor, locale);
      for (const p of PUBLIC_PAGES.filter((p) => !p.includes("n-existe-pas"))) {
        const html = await (await visitor.get(p)).text();
        const description = /<meta name="description" content="([^"]+)"/.exec(html)?.[1];
        expect(description, `${locale} ${p}`).toBeTruthy();
        expect(/<html lang="([a-z]+)"/.exec(html)?.[1]).toBe(locale);
        described.set(`${locale} ${p}`, textOf(description!));
      }
    }
    expect(described.get("fr /")).toMatch(/enquête ou d’un appel/);
    expect(described.get("en /")).toMatch(/survey or a call/);
    expect(described.get("fr /demande")).not.toBe(described.get("fr /"));
    expect(described.get("en /demande")).toMatch(/^Form to ask/);
    const ico = await fetch(`${app.base}/favicon.ico`);
    expect(ico.status).toBe(200);
    expect(ico.headers.get("content-type")).toMatch(/icon/);
    const svg = await fetch(`${app.base}/favicon.svg`);
    expect(svg.status).toBe(200);
    expect(await svg.text()).toContain("<svg");
  });
  it("no page has an HTML error, in French or in English", () => {
    const errors = nuErrors(saved.map((s) => s.file));
    const labels = new Map(saved.map((s) => [s.file, s.label]));
    expect(errors.length, `${errors.length} HTML errors:\n${formatNu(errors, (f) => labels.get(f) ?? f)}`).toBe(0);
  }, 120_000);
});
