import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archives } from "../db/schema/archives";
import { auditLog } from "../db/schema/audit";
import { outbox } from "../db/schema/outbox";
import { seedRegister } from "../db/seed-register";
import { closeConnectors } from "../app/utils/connectors.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { corinneInPerson, drainGather, withDemoConnectors } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { ticketRow } from "./helpers/tickets";

/**
 * Portability as Art. 20 and the EDPB's guidelines (WP242 rev.01) mean it,
 * over HTTP through the production build: only on a request that asks for it;
 * what the person provided and what was observed of their use of the service,
 * with what is needed to understand it; never what our staff wrote about them.
 */
let app: TestApp;

beforeAll(async () => {
  app = await startApp();
  await withDemoConnectors(app, { respondents: 30, recordings: 30, realAudio: 8, seed: 13 });
  seedRegister(app.db(), new Date());
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

async function gatheredCorinne(rights: string[]) {
  const { reference, browser } = await corinneInPerson(app, rights);
  expect((await browser.post(`/admin/demandes/${reference}`, { intent: "gather" })).status).toBe(302);
  await drainGather(app);
  return { reference, support: browser };
}

/** What releasing would have left behind: rows, mail, audit entries, files. */
function traces(reference: string) {
  const id = ticketRow(reference).id;
  return {
    archives: app.db().select().from(archives).where(eq(archives.requestId, id)).all().length,
    mail: app.db().select().from(outbox).where(eq(outbox.requestId, id)).all().filter((m) => m.template === "archive_ready" || m.template === "sms_archive_ready").length,
    audit: app.db().select().from(auditLog).where(eq(auditLog.reference, reference)).all().filter((a) => a.action.startsWith("archive.")).length,
    files: existsSync(path.join(app.dir, "archives")) ? readdirSync(path.join(app.dir, "archives")).filter((f) => f.startsWith(`${id}-`)).length : 0,
  };
}

describe("an archive answers the right the request asks for", () => {
  it("refuses a portability archive on an access-only request: 409, a clear message, no button, nothing written", async () => {
    const { reference, support } = await gatheredCorinne(["access"]);
    const page = textOf(await (await support.get(`/admin/demandes/${reference}`)).text());
    expect(page).not.toContain("Préparer et publier l'archive de portabilité");

    const refused = await support.post(`/admin/demandes/${reference}`, { intent: "release-portability" });
    expect(refused.status).toBe(409);
    expect(textOf(await refused.text())).toContain("Cette demande ne porte pas sur la portabilité (art. 20)");
    expect(traces(reference)).toEqual({ archives: 0, mail: 0, audit: 0, files: 0 });

    // The DPO is offered the access archive, the one the request asks for, and not the other.
    const dpo = await signedIn(app, "dpo");
    const dpoPage = textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text());
    expect(dpoPage).toContain("Préparer et publier l'archive d'accès");
    expect(dpoPage).not.toContain("Préparer et publier l'archive de portabilité");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-portability" })).status).toBe(409);
    expect(traces(reference)).toEqual({ archives: 0, mail: 0, audit: 0, files: 0 });
  });

  it("refuses an access archive on a portability-only request, in English too", async () => {
    const { reference } = await gatheredCorinne(["portability"]);
    const dpo = await signedIn(app, "dpo");
    const page = textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text());
    expect(page).not.toContain("Préparer et publier l'archive d'accès");
    expect(page).toContain("Préparer et publier l'archive de portabilité");
    const refused = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access" });
    expect(refused.status).toBe(409);
    expect(textOf(await refused.text())).toContain("Cette demande ne porte pas sur le droit d'accès (art. 15)");
    expect(traces(reference)).toEqual({ archives: 0, mail: 0, audit: 0, files: 0 });

    await dpo.browser.get("/langue?to=en&back=/");
    const english = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access" });
    expect(english.status).toBe(409);
    expect(textOf(await english.text())).toContain("This request does not ask for access (Art. 15)");
  });
});
