import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, textOf, type TestApp } from "./helpers/app";

/**
 * Issue 14, item 13: requests that got a 500 must get a clean 4xx — TRACE
 * on any path (a Fetch Request cannot carry it), single-fetch data asked for
 * with another site's Origin, and a POST whose Sec-Fetch-Site says
 * same-origin while its Origin names another site (Remix's own check threw).
 * Each answer carries the security headers, speaks the visitor's language
 * and quotes no stack trace.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

type Raw = { status: number; headers: import("node:http").IncomingHttpHeaders; body: string };

/** Any method, any header, the path as written (fetch() refuses TRACE outright). */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: app.port, method, path, headers: body ? { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body), ...headers } : headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function expectClean(res: Raw, what: string, status: number) {
  expect(res.status, what).toBe(status);
  expect(res.headers["x-content-type-options"], what).toBe("nosniff");
  expect(res.headers["x-frame-options"], what).toBe("DENY");
  expect(res.headers["referrer-policy"], what).toBe("no-referrer");
  expect(res.headers["content-security-policy"], what).toContain("frame-ancestors 'none'");
  expect(res.body, what).not.toMatch(/\bat \S+ \(|node_modules|Error:/);
}

const PATHS = ["/", "/demande", "/demande/envoyee", "/suivi", "/admin", "/admin/equipe", "/api/suppression/check", "/healthz", "/dev/outbox", "/nulle/part", "/favicon.ico", "/demande.data"];

describe("TRACE and the other methods the site does not serve", () => {
  it("get a 405 naming GET, HEAD and POST on every path, in French by default", async () => {
    for (const path of PATHS) {
      const res = await raw("TRACE", path);
      expectClean(res, `TRACE ${path}`, 405);
      expect(res.headers.allow, path).toBe("GET, HEAD, POST");
      expect(res.body, path).toContain('<html lang="fr"');
      expect(textOf(res.body), path).toContain("Cette adresse ne s'utilise pas de cette façon.");
    }
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"]) {
      const res = await raw(method, "/suivi");
      expectClean(res, `${method} /suivi`, 405);
      expect(res.headers.allow).toBe("GET, HEAD, POST");
    }
  });

  it("in English when English was chosen", async () => {
    const res = await raw("TRACE", "/demande", { cookie: "lang=en" });
    expectClean(res, "TRACE en", 405);
    expect(res.body).toContain('<html lang="en"');
    expect(textOf(res.body)).toContain("This address cannot be used that way.");
  });
});

describe("another site's Origin", () => {
  it("gets a 403 for single-fetch data, whatever the method, in the visitor's language", async () => {
    const evil = { origin: "https://evil.example" };
    const cases: [string, string, string | undefined][] = [
      ["GET", "/suivi.data", undefined],
      ["HEAD", "/suivi.data", undefined],
      ["POST", "/suivi.data", "reference=DSR-2026-000001&contact=a%40b.fr"],
      ["POST", "/demande/envoyee.data", "intent=resend"],
      ["GET", "/_root.data", undefined],
      ["POST", "/admin/equipe.data", "intent=create"],
      ["POST", "/api/suppression/check.data", "x=1"],
    ];
    for (const [method, path, body] of cases) {
      for (const extra of [{}, { "sec-fetch-site": "same-origin" }, { "sec-fetch-site": "cross-site" }] as Record<string, string>[]) {
        const what = `${method} ${path} ${JSON.stringify(extra)}`;
        const fr = await raw(method, path, { ...evil, ...extra }, body);
        expectClean(fr, what, 403);
        if (method !== "HEAD") expect(textOf(fr.body), what).toContain("Cette action n'est pas autorisée depuis cette page.");
      }
    }
    const en = await raw("POST", "/suivi.data", { ...evil, cookie: "lang=en" }, "reference=DSR-2026-000001&contact=a%40b.fr");
    expectClean(en, "en", 403);
    expect(en.body).toContain('<html lang="en"');
    expect(textOf(en.body)).toContain("This action is not allowed from this page.");
    // The site's own data requests still work.
    expect((await raw("GET", "/suivi.data", { origin: app.base, "sec-fetch-site": "same-origin" })).status).toBe(200);
  });

  it("gets a 403 on a form post even when Sec-Fetch-Site claims same-origin, and nothing is sent", async () => {
    const sms = app.sms.sent.length;
    const res = await raw("POST", "/suivi", { origin: "https://evil.example", "sec-fetch-site": "same-origin" }, "reference=DSR-2026-000001&contact=06%2012%2034%2056%2078");
    expectClean(res, "POST /suivi", 403);
    expect(textOf(res.body)).toContain("Cette action n'est pas autorisée depuis cette page.");
    const en = await raw("POST", "/demande", { origin: "https://evil.example", "sec-fetch-site": "same-origin", cookie: "lang=en" }, "rights=access");
    expectClean(en, "POST /demande en", 403);
    expect(textOf(en.body)).toContain("This action is not allowed from this page.");
    // An Origin that is not a URL at all.
    expectClean(await raw("POST", "/suivi", { origin: "not a url", "sec-fetch-site": "same-origin" }, "reference=x"), "garbage origin", 403);
    await app.deliver();
    expect(app.sms.sent.length).toBe(sms);
  });

  it("is judged against Host: an X-Forwarded-Host from a client the server does not trust is ignored, not a 500", async () => {
    const res = await raw("POST", "/suivi", { origin: app.base, "x-forwarded-host": "evil.example" }, "reference=DSR-2026-000001&contact=a%40b.fr");
    expect(res.status).toBe(200);
    const forged = await raw("POST", "/suivi", { origin: "https://evil.example", "x-forwarded-host": "evil.example" }, "reference=DSR-2026-000001&contact=a%40b.fr");
    expectClean(forged, "forwarded host matching a foreign origin", 403);
  });
});
