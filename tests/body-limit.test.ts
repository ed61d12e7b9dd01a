import { sql } from "drizzle-orm";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { startServer, type ServerProcess } from "./helpers/processes";
import { signedIn } from "./helpers/staff";
import { rawGet } from "../app/utils/db.server";
import { mapInOrder } from "../app/utils/in-order";

/**
 * Issue 14, item 6: a 100 MB urlencoded post took the server from 239 MB to
 * 1.4 GB. Every body now has a ceiling (BODY_MAX_BYTES, 1 MiB by default),
 * enforced by the express front before any parser runs: a declared length
 * over it is refused unread, a chunked body is counted as it arrives and cut
 * there. The answer is a 413 in the visitor's language.
 */
const MB = 1024 * 1024;
const TEXT = { fr: "L'envoi est trop volumineux.", en: "What you sent is too large." } as const;

type Big = { path: string; type: string; bytes: number; chunked?: boolean; cookie?: string; origin?: string };

/** A body of `bytes` bytes: one Buffer with a Content-Length, or streamed without one (chunked). */
async function postBig(base: string, big: Big) {
  const prefix = big.type.includes("json")
    ? '{"details":"'
    : big.type.startsWith("multipart/")
      ? '--XYZ\r\nContent-Disposition: form-data; name="extra"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
      : "details=";
  const headers: Record<string, string> = { "content-type": big.type };
  if (big.cookie) headers.cookie = big.cookie;
  if (big.origin) headers.origin = big.origin;
  let pulled = 0;
  let body: BodyInit;
  if (big.chunked) {
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === 0) controller.enqueue(new TextEncoder().encode(prefix));
        if (pulled >= big.bytes) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
  } else {
    const buffer = Buffer.alloc(big.bytes, 0x61);
    buffer.write(prefix);
    body = buffer;
    pulled = big.bytes;
  }
  const started = Date.now();
  const res = await fetch(new URL(big.path, base), { method: "POST", body, headers, redirect: "manual", duplex: "half" } as RequestInit);
  const ms = Date.now() - started;
  const sentWhenAnswered = pulled;
  return { res, ms, sentWhenAnswered, html: await res.text() };
}

describe("request bodies over the ceiling (in-process, production build)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  const TABLES = ["requests", "request_events", "verification_tokens", "outbox", "audit_log", "staff", "rate_limits"] as const;
  const counts = async () => Object.fromEntries(await mapInOrder(TABLES, async (t) => [t, ((await rawGet(app.db(), sql.raw(`SELECT count(*) AS n FROM ${t}`))) as { n: number }).n] as const));

  const cases: Big[] = [
    { path: "/suivi", type: "application/x-www-form-urlencoded", bytes: 30 * MB },
    { path: "/demande", type: "application/x-www-form-urlencoded", bytes: 30 * MB, chunked: true },
    { path: "/demande/envoyee", type: "application/json", bytes: 30 * MB },
    { path: "/suivi", type: "application/json", bytes: 30 * MB, chunked: true },
    { path: "/suivi.data", type: "application/x-www-form-urlencoded", bytes: 30 * MB },
    { path: "/demande.data?index", type: "application/x-www-form-urlencoded", bytes: 30 * MB, chunked: true },
    // The request form's multipart ceiling is larger (the mandate), but not unbounded.
    { path: "/demande", type: "multipart/form-data; boundary=XYZ", bytes: 60 * MB, chunked: true },
  ];

  it("answer a large urlencoded, JSON or .data POST with a quick 413 in French, and write nothing", async () => {
    const before = await counts();
    for (const big of cases) {
      const what = `${big.path} ${big.type} ${big.chunked ? "chunked" : "with a length"}`;
      const { res, ms, html, sentWhenAnswered } = await postBig(app.base, big);
      expect(res.status, what).toBe(413);
      expect(ms, what).toBeLessThan(5_000);
      expect(html, what).toContain('<html lang="fr"');
      // (The request form answers an oversized multipart part itself, with the form and its messages.)
      if (!big.type.startsWith("multipart/")) expect(textOf(html), what).toContain(TEXT.fr);
      expect(html, what).not.toMatch(/at \w+ \(|node_modules/);
      expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
      // Cut while it was still arriving, not after all of it was read.
      if (big.chunked) expect(sentWhenAnswered, what).toBeLessThan(big.bytes / 2);
    }
    expect(await counts()).toEqual(before);
  });

  it("speak English when English was chosen", async () => {
    for (const big of cases.slice(0, 6)) {
      const what = `${big.path} ${big.type}`;
      const { res, html } = await postBig(app.base, { ...big, cookie: "lang=en" });
      expect(res.status, what).toBe(413);
      expect(html, what).toContain('<html lang="en"');
      expect(textOf(html), what).toContain(TEXT.en);
    }
  });

  it("hold in the back office too: an oversized account creation is a 413 and creates nobody", async () => {
    const admin = await signedIn(app, "admin");
    const before = await counts();
    const cookie = [...admin.browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const { res } = await postBig(app.base, { path: "/admin/equipe", type: "application/x-www-form-urlencoded", bytes: 8 * MB, cookie, origin: app.base });
    expect(res.status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it("leave normal posts and the mandate's own limit alone", async () => {
    // Just under the ceiling: parsed and answered by the route (a 400 for a form that is not valid).
    const under = await app.browser().request("/suivi", { method: "POST", body: new URLSearchParams({ reference: "DSR", contact: "x".repeat(MB - 100) }) });
    expect(under.status).toBe(400);
    // A mandate over MANDATE_MAX_BYTES still gets its own message with what was typed kept (tests/intake.test.ts).
    const form = new FormData();
    for (const [k, v] of Object.entries({ rights: "access", lastName: "Desmarc", firstName: "Paul", email: "mandataire@example.fr", onBehalf: "other", subjectLastName: "Desmarc", subjectFirstName: "Paul", subjectEmail: "paul@example.fr", mandateUntil: "2099-12-31", mandateScope: "Tout", contactConsent: "on" })) form.append(k, v);
    const big = Buffer.alloc(5 * MB + 10, 0x41);
    big.write("%PDF-1.4");
    form.append("mandate", new Blob([big], { type: "application/pdf" }), "mandat.pdf");
    const res = await app.browser().post("/demande", form);
    expect(res.status).toBe(400);
    expect(textOf(await res.text())).toContain("Le fichier dépasse la taille maximale de 5 Mo.");
  });
});

/**
 * The same flood the attack test sent, against the real server process:
 * its resident memory is read from /proc before and after, and /healthz
 * must keep answering while the bodies arrive.
 */
describe("the server process under a flood of large bodies", () => {
  let server: ServerProcess;
  let base: string;
  const rssKb = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, "utf8"))?.[1]);

  beforeAll(async () => {
    server = await startServer({ APP_SECRET: "bodies-test-secret-long-enough-0123456789abcdef", WORKERS: "0" });
    base = server.base;
  });

  afterAll(async () => {
    server?.stop();
  });

  it("keeps its memory flat and /healthz quick while 8 bodies of 32 MB arrive at once", async (ctx) => {
    if (!existsSync(`/proc/${server.child.pid}/status`)) ctx.skip(); // resident memory is read from Linux's /proc
    // Warm up: a page and a small post, so the baseline is a server that has served.
    await fetch(`${base}/demande`);
    await fetch(`${base}/suivi`, { method: "POST", body: new URLSearchParams({ reference: "DSR-2026-000001", contact: "a@b.fr" }) });
    const before = rssKb();
    const flood: Big[] = [
      { path: "/suivi", type: "application/x-www-form-urlencoded", bytes: 32 * MB },
      { path: "/suivi", type: "application/x-www-form-urlencoded", bytes: 32 * MB, chunked: true },
      { path: "/demande", type: "application/x-www-form-urlencoded", bytes: 32 * MB },
      { path: "/demande/envoyee", type: "application/json", bytes: 32 * MB },
      { path: "/suivi", type: "application/json", bytes: 32 * MB, chunked: true },
      { path: "/suivi.data", type: "application/x-www-form-urlencoded", bytes: 32 * MB },
      { path: "/demande.data?index", type: "application/x-www-form-urlencoded", bytes: 32 * MB, chunked: true },
      { path: "/demande/envoyee.data", type: "application/json", bytes: 32 * MB },
    ];
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKb())), 20);
    const health = (async () => {
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      const res = await fetch(`${base}/healthz`);
      return { status: res.status, ms: Date.now() - started };
    })();
    const answers = await Promise.all(flood.map((big) => postBig(base, big)));
    const healthz = await health;
    clearInterval(sampler);
    peak = Math.max(peak, rssKb());
    // Without the ceiling each of these costs several times its size (the attack: +1.2 GB for one 100 MB post).
    const grownMb = (peak - before) / 1024;
    expect(grownMb, `resident memory grew by ${grownMb.toFixed(0)} MB (from ${(before / 1024).toFixed(0)} MB)`).toBeLessThan(150);
    expect(healthz.status).toBe(200);
    expect(healthz.ms).toBeLessThan(3_000);
    for (const [i, a] of answers.entries()) expect(a.res.status, `${flood[i]!.path} ${flood[i]!.type}`).toBe(413);
    expect(server.output()).not.toMatch(/request\.error|at \w+ \(/);
  });
});
