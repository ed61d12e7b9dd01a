import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDocumentLast } from "../app/web/document-stream.server";
import { startApp, type TestApp } from "./helpers/app";
import { signedIn } from "./helpers/staff";

/**
 * How pages travel (ADR 0017): compressed when they are the same for anyone,
 * never when they may hold the visitor's data; the build's files cached for a
 * year; the document closed after everything Remix writes.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

const GZIP = { "accept-encoding": "gzip, deflate, br" };

describe("compression", () => {
  it("compresses a public page asked without a cookie, or with only the language", async () => {
    const plain = await fetch(`${app.base}/`, { headers: GZIP });
    expect(plain.headers.get("content-encoding")).toMatch(/gzip|br|deflate/);
    expect(plain.headers.get("vary")).toMatch(/Accept-Encoding/i);
    expect(await plain.text()).toContain("</html>");
    const english = await fetch(`${app.base}/demande`, { headers: { ...GZIP, cookie: "lang=en" } });
    expect(english.headers.get("content-encoding")).toMatch(/gzip|br|deflate/);
    expect(await english.text()).toContain('<html lang="en"');
  });

  it("never compresses a page for someone signed in, nor a page asked with any other cookie (BREACH)", async () => {
    const { browser } = await signedIn(app, "dpo");
    const queue = await browser.request("/admin", { headers: GZIP });
    expect(queue.status).toBe(200);
    expect(queue.headers.get("content-encoding")).toBeNull();
    const withOther = await fetch(`${app.base}/`, { headers: { ...GZIP, cookie: "lang=fr; something=else" } });
    expect(withOther.headers.get("content-encoding")).toBeNull();
    // A page reached through the assets' prefix is still a page.
    const dressedUp = await browser.request("/assets/%2e%2e/admin", { headers: GZIP });
    expect(dressedUp.headers.get("content-encoding")).toBeNull();
  });

  it("never compresses the answer to a form, which holds what the visitor typed (BREACH)", async () => {
    const body = new URLSearchParams({ lastName: "Durand", firstName: "", email: "pas-une-adresse" });
    const res = await fetch(`${app.base}/demande`, { method: "POST", body, headers: { ...GZIP, origin: app.base }, redirect: "manual" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Durand");
    expect(res.headers.get("content-encoding")).toBeNull();
  });

  it("compresses the build's files for everyone and lets browsers keep them for a year", async () => {
    const html = await (await fetch(`${app.base}/`)).text();
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1]!;
    const { browser } = await signedIn(app, "dpo");
    const res = await browser.request(css, { headers: GZIP });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toMatch(/gzip|br|deflate/);
    expect(res.headers.get("cache-control")).toMatch(/max-age=31536000.*immutable|immutable.*max-age=31536000/);
  });

  it("serves the favicon", async () => {
    const res = await fetch(`${app.base}/favicon.ico`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });
});

describe("the document's end", () => {
  it("ends every page with </body></html>, after Remix's scripts", async () => {
    const html = await (await fetch(`${app.base}/demande`)).text();
    expect(html.trimEnd().endsWith("</body></html>")).toBe(true);
    expect(html.indexOf("</html>")).toBe(html.length - "</html>".length);
    expect(html).toContain("streamController.close()");
  });

  it("moves the closing tags however the chunks cut them, and leaves a page without them as it was", async () => {
    const page = '<html><body><p>é</p></body></html><script>x()</script><script>y()</script>';
    for (let cut = 1; cut < page.length; cut++) {
      const bytes = Buffer.from(page);
      const chunks = [bytes.subarray(0, cut), bytes.subarray(cut, cut + 7), bytes.subarray(cut + 7)];
      const out = await text(Readable.from(chunks).pipe(closeDocumentLast()));
      expect(out).toBe("<html><body><p>é</p><script>x()</script><script>y()</script></body></html>");
    }
    expect(await text(Readable.from([Buffer.from("<p>no document</body")]).pipe(closeDocumentLast()))).toBe("<p>no document</body");
  });
});
