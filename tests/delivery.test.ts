import { createHash } from "node:crypto";
import { blobBytes, blobExists } from "./helpers/blobs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archives } from "../db/schema/archives";
import { auditLog } from "../db/schema/audit";
import { purgeExpiredArchives } from "../app/services/delivery.server";
import { closeConnectors } from "../app/utils/connectors.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { corinneInPerson, withDemoConnectors, gatherAll } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { unzipEntries } from "./helpers/zip";
import { ticketRow } from "./helpers/tickets";
import { mailTo } from "./helpers/smtp-sink";
import { first } from "../app/utils/db.server";

let app: TestApp;

beforeAll(async () => {
  app = await startApp();
  await withDemoConnectors(app, { respondents: 30, recordings: 30, realAudio: 8, seed: 11 });
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});


describe("delivering the archive", () => {
  it("is released by staff, downloaded once per fresh link by the requester, counted, audited, and purged after expiry", async () => {
    const { reference, browser: supportBrowser } = await corinneInPerson(app, ["access", "portability"]);
    const support = { browser: supportBrowser };
    await gatherAll(app, support.browser, reference);

    // Support may release the portability archive, not the access one.
    expect((await support.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(403);
    expect((await support.browser.post(`/admin/demandes/${reference}`, { intent: "release-portability", confirmed: "1" })).status).toBe(302);
    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(302);

    const rows = await app.db().select().from(archives).where(eq(archives.requestId, (await ticketRow(reference)).id));
    expect(rows.map((r) => r.kind).sort()).toEqual(["access", "portability"]);
    const access = rows.find((r) => r.kind === "access")!;
    // Encrypted at rest: not a ZIP in the blob store.
    expect((await blobBytes(access.filePath!)).subarray(0, 2).toString("latin1")).not.toBe("PK");

    // The requester is told, follows the link to the status page, and asks for a download link.
    const ready = await mailTo(app, "desmarc.corinne@orange.fr", "Vos données sont prêtes");
    const statusPath = new URL(ready.text!.match(/https?:\/\/\S+\/suivi\/lien\/\S+/)![0]).pathname;
    const person = app.browser();
    const status = await person.follow(await person.get(statusPath));
    const statusText = textOf(await status.text());
    expect(statusText).toContain("Copie de vos données (droit d'accès)");
    const asked = await person.post("/suivi/demande", { archiveId: String(access.id) });
    expect(asked.status).toBe(200);
    const linkMail = await mailTo(app, "desmarc.corinne@orange.fr", "Lien de téléchargement");
    const url = new URL(linkMail.text!.match(/https?:\/\/\S+\/archive\/\S+/)![0]);
    expect((await person.get(url.pathname + url.search)).status).toBe(200);

    // IDOR: this link is for this request; another request's archive id gets nothing, and the link still works.
    const second = await corinneInPerson(app, ["portability"]);
    await gatherAll(app, second.browser, second.reference);
    expect((await second.browser.post(`/admin/demandes/${second.reference}`, { intent: "release-portability", confirmed: "1" })).status).toBe(302);
    const other = (await first(app.db().select().from(archives).where(eq(archives.requestId, (await ticketRow(second.reference)).id))))!;
    const stolen = await person.post(`${url.pathname}/fichier`, { a: String(other.id) });
    expect(stolen.status).toBe(400); // the same refusal as a spent or unknown link: nothing about the other archive
    expect(stolen.headers.get("content-type")).not.toBe("application/zip");
    expect((await first(app.db().select().from(archives).where(eq(archives.id, other.id))))!.downloads).toBe(0);

    const download = await person.post(`${url.pathname}/fichier`, { a: String(access.id) });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/zip");
    expect(download.headers.get("content-disposition")).toContain(`${reference}-acces.zip`);
    const zip = Buffer.from(await download.arrayBuffer());
    const entries = await unzipEntries(zip);
    // What the back office recorded identifies this very content: the manifest, which hashes every other entry.
    expect(createHash("sha256").update(entries.get("manifest.json")!).digest("hex")).toBe(access.sha256);
    expect(entries.has("manifest.json")).toBe(true);
    expect(entries.has("LISEZ-MOI.html")).toBe(true);

    // Once per link; counted; audited.
    expect((await person.post(`${url.pathname}/fichier`, { a: String(access.id) })).status).toBe(400);
    expect((await first(app.db().select().from(archives).where(eq(archives.id, access.id))))!.downloads).toBe(1);
    const actions = (await app.db().select().from(auditLog).where(eq(auditLog.reference, reference))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["archive.released", "archive.downloaded"]));

    // After expiry the file is gone and the page no longer offers it.
    expect(await purgeExpiredArchives(app.db(), new Date(Date.now() + 8 * 86_400_000))).toBe(3);
    expect(await blobExists(access.filePath!)).toBe(false);
    expect((await first(app.db().select().from(archives).where(eq(archives.id, access.id))))!.status).toBe("purged");
  });
});
