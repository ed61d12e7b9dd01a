import { sql } from "drizzle-orm";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "./helpers/app";
import { signedIn } from "./helpers/staff";
import { ticketRow, verifiedTicket } from "./helpers/tickets";
import { rawGet } from "../app/utils/db.server";

/**
 * Issue 14, item 8: `/Admin/equipe` with no Origin and no Sec-Fetch-Site
 * created an admin account — the CSRF guard checked `startsWith("/admin")`
 * while Remix matches routes case-insensitively, after percent-decoding and
 * with dot segments resolved. The guard now decides on the route Remix
 * will run (and, belt and braces, on the normalised path).
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

/**
 * A POST with the path sent byte for byte as written: fetch() would resolve
 * `..`, `\` and `//` before sending, which is exactly what must be tested.
 */
function rawPost(rawPath: string, form: Record<string, string>, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: app.port, method: "POST", path: rawPath, headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body), ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const staffCount = async () => ((await rawGet(app.db(), sql`SELECT count(*) AS n FROM staff`)) as { n: number }).n;
const cookieOf = (browser: { cookies: Map<string, string> }) => [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");

/** Every spelling of one back-office path a browser, a proxy or Remix might read as it. */
function spellings(path: string): string[] {
  const [, first, ...rest] = path.split("/");
  const tail = rest.join("/");
  return [
    path.replace("/admin", "/Admin"),
    path.toUpperCase(),
    path.replace("/admin", "/aDmIn"),
    `/admin/${tail.charAt(0).toUpperCase()}${tail.slice(1)}`,
    `${path}/`,
    `${path}//`,
    `/${path}`,
    path.replace("/admin/", "/admin//"),
    path.replace("/admin", "/%61dmin"),
    path.replace("/admin", "/%41DMIN"),
    path.replace("/admin", "/%2561dmin"),
    `/admin/%${tail.charCodeAt(0).toString(16)}${tail.slice(1)}`,
    path.replace("/admin/", "/x/../admin/"),
    path.replace("/admin/", "/admin/./"),
    `/./${first}/${tail}`,
    `${path}/.`,
    path.replace("/admin/", "/admin\\"),
    path.replace("/admin/", "/x/..%2Fadmin/"),
    `${path}.data`,
    `${path.replace("/admin", "/ADMIN")}.data`,
    `${path}?_data=root`,
    `${path}?index`,
  ];
}

describe("back-office mutations without Origin or Sec-Fetch-Site, under every spelling of the path", () => {
  it("refuse the team's account creation with 403 and create nobody", async () => {
    const admin = await signedIn(app, "admin");
    const cookie = cookieOf(admin.browser);
    const before = await staffCount();
    let n = 0;
    for (const path of spellings("/admin/equipe")) {
      const form = { intent: "create", email: `csrf.${++n}@centrecall.example`, displayName: "Intrus", role: "admin", site: "tours" };
      const res = await rawPost(path, form, { cookie });
      expect(res.status, path).toBe(403);
      expect(res.body, path).toContain("Cette action n'est pas autorisée depuis cette page.");
      expect(await staffCount(), path).toBe(before);
    }
    // The same session and form, sent the way a browser sends them, do create: the refusals above are the guard's.
    for (const path of ["/admin/equipe", "/Admin/equipe", "/%61dmin/equipe"]) {
      const res = await rawPost(path, { intent: "create", email: `ok.${++n}@centrecall.example`, displayName: "Nouvelle", role: "support", site: "tours" }, { cookie, origin: app.base });
      expect(res.status, path).toBe(200);
    }
    expect(await staffCount()).toBe(before + 3);
  });

  it("refuse a ticket action with 403 and leave the ticket as it was", async () => {
    const dpo = await signedIn(app, "dpo");
    const cookie = cookieOf(dpo.browser);
    const { reference } = await verifiedTicket();
    for (const path of spellings(`/admin/demandes/${reference}`)) {
      const res = await rawPost(path, { intent: "start" }, { cookie });
      expect(res.status, path).toBe(403);
      expect((await ticketRow(reference)).status, path).toBe("received");
    }
    const ok = await rawPost(`/ADMIN/Demandes/${reference}`, { intent: "start" }, { cookie, origin: app.base });
    expect(ok.status).toBeLessThan(400);
    expect((await ticketRow(reference)).status).toBe("in_progress");
  });

  it("refuse a foreign Origin and a cross-site Sec-Fetch-Site under those spellings too", async () => {
    const admin = await signedIn(app, "admin");
    const cookie = cookieOf(admin.browser);
    const before = await staffCount();
    for (const path of ["/Admin/equipe", "/%61dmin/equipe", "/admin/equipe.data", "/x/../admin/equipe"]) {
      const form = { intent: "create", email: "cross@centrecall.example", displayName: "Intrus", role: "admin", site: "tours" };
      expect((await rawPost(path, form, { cookie, origin: "https://evil.example" })).status, path).toBe(403);
      expect((await rawPost(path, form, { cookie, "sec-fetch-site": "cross-site" })).status, path).toBe(403);
      expect((await rawPost(path, form, { cookie, "sec-fetch-site": "same-site" })).status, path).toBe(403);
    }
    expect(await staffCount()).toBe(before);
  });
});
