import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { archives } from "../db/schema/archives";
import { gatherJobs } from "../db/schema/gather";
import { readGathered } from "../app/services/gather-store.server";
import { textOf, type TestApp } from "./helpers/app";
import { drainGather, freshDemoPerTest, gatherAll, controllersInstruct } from "./helpers/connectors";
import { letterFromSms, statusPage, verifiedBySms } from "./helpers/requester";
import { signedIn } from "./helpers/staff";
import { zipText } from "./helpers/zip";
import { ticketRow } from "./helpers/tickets";
import { connectors } from "../app/utils/connectors.server";
import { first } from "../app/utils/db.server";

/**
 * Issue 13, item 3: after RightsDesk changes what a system holds, every
 * later view and archive shows the current values; and a requester verified
 * only by SMS is told of the change. Each test changes David Blanc in the
 * demo systems: fresh systems per test.
 */
const fresh = freshDemoPerTest({ respondents: 20, recordings: 20, realAudio: 5, seed: 13 });
let app: TestApp;
beforeEach(() => {
  app = fresh.app();
});

function inputsOf(html: string) {
  return [...html.matchAll(/name="to:([A-Za-z0-9_-]+)"/g)].map((m) => ({ name: `to:${m[1]}`, id: JSON.parse(Buffer.from(m[1]!, "base64url").toString()) as [string, string, string, string] }));
}

describe("after a rectification", () => {
  it("searches the changed systems again, withdraws the archive holding the old values, and tells the person by SMS", async () => {
    // David filed with his mobile only and confirmed the SMS code.
    const { browser: person, reference } = await verifiedBySms(app, "06 12 34 56 78", "+33612345678", {
      rights: ["access", "rectification"],
      lastName: "Blanc",
      firstName: "David",
      rectificationWrong: "Mon nom",
      rectificationCorrect: "BLANC-MARTIN",
    });
    const support = await signedIn(app, "support", "tours");
    await gatherAll(app, support.browser, reference);
    await controllersInstruct(app, support.browser, reference);
    const dpo = await signedIn(app, "dpo", "tours");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(302);
    const released = (await first(app.db().select().from(archives).where(eq(archives.requestId, (await ticketRow(reference)).id))))!;
    expect(released.status).toBe("ready");

    const html = await (await support.browser.get(`/admin/demandes/${reference}`)).text();
    const crmName = inputsOf(html).find((i) => i.id[0] === "crm" && i.id[3] === "lastName")!;
    expect(crmName).toBeDefined();
    expect((await support.browser.post(`/admin/demandes/${reference}`, { intent: "rectification-prepare", [crmName.name]: "BLANC-MARTIN" })).status).toBe(302);
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "rectification-approve" })).status).toBe(302);

    // Told by SMS, with the new value behind the link.
    const { sms, letter } = await letterFromSms(app, "+33612345678");
    expect(sms.text).toContain(`vos données ont été rectifiées (demande ${reference})`);
    expect(letter).toContain("lastName : BLANC-MARTIN");

    // The archive built before held the old name: withdrawn, and the person's page says why.
    const withdrawn = (await first(app.db().select().from(archives).where(eq(archives.id, released.id))))!;
    expect(withdrawn).toMatchObject({ status: "purged", purgeReason: "data_changed", filePath: null });
    const status = await statusPage(person);
    expect(status.html).toContain('data-purge-reason="data_changed"');
    expect(status.text).toContain("vos données ont été modifiées depuis ; une nouvelle copie vous sera proposée");

    // The CRM is searched again; once done, what staff see and what a new archive holds is the new name.
    const id = (await ticketRow(reference)).id;
    const queued = await app.db().select().from(gatherJobs).where(and(eq(gatherJobs.requestId, id), eq(gatherJobs.status, "queued")));
    expect(queued.map((j) => j.connectorId)).toEqual(["crm"]);
    await drainGather(app);
    const crmRecords = (await readGathered(app.db(), id)).records.filter((r) => r.connectorId === "crm" && r.dataset === "contacts");
    expect(crmRecords.map((r) => r.fields.lastName)).toEqual(["BLANC-MARTIN"]);
    const after = textOf(await (await support.browser.get(`/admin/demandes/${reference}`)).text());
    expect(after).toContain("BLANC-MARTIN");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(302);
    const { buildArchive } = await import("../app/services/archive.server");
    const out = `${app.dir}/after.zip`;
    await buildArchive({ db: app.db(), requestId: id, kind: "access", out, now: new Date(), registry: connectors() });
    const contacts = await zipText(out, "data/crm/contacts.json");
    expect(contacts).toContain("BLANC-MARTIN");
    expect(contacts).not.toMatch(/"lastName":"Blanc"/);
  });
});
