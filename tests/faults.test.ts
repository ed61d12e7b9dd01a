import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archives } from "../db/schema/archives";
import { auditLog } from "../db/schema/audit";
import { outbox } from "../db/schema/outbox";
import { closeConnectors } from "../app/utils/connectors.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { corinneInPerson, withDemoConnectors, gatherAll } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { ticketRow } from "./helpers/tickets";
import { blobExists } from "./helpers/blobs";

/**
 * The archive directory cannot take the file (not a directory, read-only, or
 * full): releasing the archive says so in plain French, records nothing as
 * released, tells the requester nothing, leaves no partial file, and works
 * once the directory is fixed.
 */
let app: TestApp;

beforeAll(async () => {
  // An archive directory to break: files on the disk, whichever store holds the rows.
  app = await startApp({ env: { BLOB_STORE: "local" } });
  await withDemoConnectors(app, { respondents: 20, recordings: 20, realAudio: 4, seed: 5 });
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

async function gatheredTicket() {
  const { reference, browser } = await corinneInPerson(app, ["access"]);
  await gatherAll(app, browser, reference);
  return reference;
}

async function nothingReleased(reference: string) {
  const id = (await ticketRow(reference)).id;
  expect(await app.db().select().from(archives).where(eq(archives.requestId, id))).toEqual([]);
  const templates = (await app.db().select({ template: outbox.template }).from(outbox).where(eq(outbox.requestId, id))).map((o) => o.template);
  expect(templates).not.toContain("archive_ready");
  expect(templates).not.toContain("sms_archive_ready");
  const actions = (await app.db().select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.reference, reference))).map((a) => a.action);
  expect(actions).not.toContain("archive.released");
  expect(actions).not.toContain("archive.built");
}

async function releaseRefused(reference: string, dpo: Awaited<ReturnType<typeof signedIn>>) {
  const res = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" });
  expect(res.status).toBe(503);
  const text = textOf(await res.text());
  expect(text).toContain("L'archive n'a pas pu être enregistrée : le dossier des archives est plein ou n'accepte pas l'écriture.");
  expect(text).toContain("Rien n'a été publié ni envoyé au demandeur.");
  await nothingReleased(reference);
}

async function releasedAfterFix(reference: string, dpo: Awaited<ReturnType<typeof signedIn>>) {
  expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(302);
  const rows = await app.db().select().from(archives).where(eq(archives.requestId, (await ticketRow(reference)).id));
  expect(rows).toHaveLength(1);
  expect(await blobExists(rows[0]!.filePath!)).toBe(true);
  const templates = (await app.db().select({ template: outbox.template }).from(outbox).where(eq(outbox.requestId, (await ticketRow(reference)).id))).map((o) => o.template);
  expect(templates.filter((t) => t === "archive_ready")).toHaveLength(1);
}

describe("an archive directory that cannot take the file", () => {
  it("is not a directory: a clear French message (503: the storage, not the request), nothing released or sent, then it works once fixed", async () => {
    const reference = await gatheredTicket();
    const dpo = await signedIn(app, "dpo");
    const dir = path.join(app.dir, "archives");
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, "not a directory");

    await releaseRefused(reference, dpo);
    expect(statSync(dir).isFile()).toBe(true);

    // English for staff who chose it.
    await dpo.browser.get("/langue?to=en&back=/");
    const en = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" });
    expect(en.status).toBe(503);
    expect(textOf(await en.text())).toContain("The archive could not be saved: the archive directory is full or cannot be written to.");
    await dpo.browser.get("/langue?to=fr&back=/");

    rmSync(dir);
    await releasedAfterFix(reference, dpo);
  });

  it("is full (a tiny tmpfs) or read-only (mode 0500 for a non-root user): the same, with no partial file left", async (ctx) => {
    const reference = await gatheredTicket();
    const dpo = await signedIn(app, "dpo");
    const dir = path.join(app.dir, "archives");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    let undo: () => void;
    if (process.getuid?.() === 0) {
      // root writes through file modes: fill a real disk instead (64 KiB, far below one archive).
      const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", dir], { encoding: "utf8" });
      if (mounted.status !== 0) ctx.skip(`running as root without the right to mount a tmpfs: ${mounted.stderr.trim()}`);
      undo = () => spawnSync("umount", [dir]);
    } else {
      chmodSync(dir, 0o500);
      undo = () => chmodSync(dir, 0o700);
    }
    try {
      await releaseRefused(reference, dpo);
      // The half-written file is gone, whichever way the write failed.
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      undo();
    }
    await releasedAfterFix(reference, dpo);
  });
});
