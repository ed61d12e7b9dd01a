import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink } from "./helpers/smtp-sink";
import { startServer, type ServerProcess } from "./helpers/processes";
import { Browser, textOf, validRequest } from "./helpers/app";

const ROOT = path.resolve(import.meta.dirname, "..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

/**
 * `npm start` as an operator runs it: a separate process from the production
 * build, with its own worker loop delivering mail to a real SMTP server.
 */
describe("the production server process", () => {
  let server: ServerProcess;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let base: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startServer({ APP_SECRET: "server-test-secret-long-enough-0123456789abcdef", SMTP_URL: sink.url, LOG_LEVEL: "debug" }, { timeoutMs: 20_000 });
    base = server.base;
  });

  afterAll(async () => {
    server?.stop();
    await sink?.close();
  });

  it("files, delivers the email from its own worker loop, verifies, and logs no personal data", async () => {
    const browser = new Browser(base);
    const person = { email: "process.check@example.fr", phone: "06 98 76 54 31", lastName: "Vicq", firstName: "Christophe" };
    const filed = await browser.post("/demande", validRequest(person));
    expect(filed.status).toBe(302);

    const started = Date.now();
    while (sink.received.length === 0 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 100));
    const mail = sink.received[0];
    expect(mail?.subject).toMatch(/^Confirmez votre demande DSR-\d{4}-\d{6}$/);
    const link = mail!.text!.match(/https?:\/\/\S+\/verification\/\S+/)![0];
    const verified = await browser.follow(await browser.post(new URL(link).pathname, {}));
    expect(await verified.text()).toContain("Reçue : nous allons rechercher vos données");

    const token = new URL(link).pathname.split("/").pop()!;
    expect(server.output()).toContain('"event":"http"');
    for (const secret of [person.email, "+33698765431", "06 98 76 54 31", person.lastName, person.firstName, token]) {
      expect(server.output()).not.toContain(secret);
    }
  });

  it("keeps the seeded people's emails and numbers out of its logs, its redirects and its error pages", async () => {
    // People the demo systems hold (app/connectors/sql-survey/demo.ts), in the ways they get typed.
    const david = { email: "David.Blanc@example.fr", phone: "06 12 34 56 78", lastName: "Blanc", firstName: "David" };
    const nadia = { email: "nadia.azri@example.com", phone: "07 81 22 33 44" };
    const secrets = [david.email, david.email.toLowerCase(), "+33612345678", "0612345678", david.phone, nadia.email, "+33781223344", "0781223344", nadia.phone, "desmarc.corinne@orange.fr"];
    const logsBefore = server.output().length;
    const locations: string[] = [];
    const pages: [string, string][] = [];
    const browser = new Browser(base);
    const keep = async (what: string, res: Response) => {
      if (res.headers.get("location")) locations.push(res.headers.get("location")!);
      if (res.status >= 400) pages.push([`${what} (${res.status})`, await res.text()]);
      return res;
    };

    // Filing with email and mobile: the SMS gateway is down, so the sender logs failures too.
    const filed = await keep("filing", await browser.post("/demande", validRequest(david)));
    expect(filed.status).toBe(302);
    await keep("filing, bad phone", await new Browser(base).post("/demande", validRequest({ email: nadia.email, phone: "06 12" })));
    await keep("filing, bad email", await new Browser(base).post("/demande", validRequest({ email: "desmarc.corinne@orange", phone: nadia.phone })));
    const started = Date.now();
    let mail;
    while (!(mail = sink.received.find((m) => JSON.stringify(m.to).toLowerCase().includes(david.email.toLowerCase()))) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 100));
    const link = new URL(mail!.text!.match(/https?:\/\/\S+\/verification\/\S+/)![0]);
    await keep("verification", await browser.post(link.pathname, {}));
    const reference = /DSR-\d{4}-\d{6}/.exec(mail!.subject!)![0];

    // The status form, known and unknown pairs, and a malformed one.
    await keep("status, known", await new Browser(base).post("/suivi", { reference, contact: david.email }));
    await keep("status, unknown", await new Browser(base).post("/suivi", { reference, contact: nadia.phone }));
    await keep("status, malformed", await new Browser(base).post("/suivi", { reference: "DSR", contact: nadia.email }));

    // Error pages, including paths a visitor typed with someone's address or number in them.
    await keep("bad verification link", await new Browser(base).get("/verification/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    await keep("bad status link", await new Browser(base).get("/suivi/lien/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    await keep("404 with an email", await new Browser(base).get(`/demande/${encodeURIComponent(david.email)}`));
    await keep("404 with an email, raw", await new Browser(base).get(`/x/${nadia.email}`));
    await keep("404 with a number", await new Browser(base).get("/x/0612345678"));
    await keep("404 with a number, spaced", await new Browser(base).get("/x/06%2012%2034%2056%2078"));
    await keep("status page without a session", await new Browser(base).get("/suivi/demande"));
    await keep("CSRF refusal", await new Browser(base).post("/demande", validRequest(david), { origin: "https://evil.example" }));
    await keep("back office without a session", await new Browser(base).get(`/admin/demandes/${reference}`));
    // Let the sender loop try the SMS (gateway down) and log it.
    await new Promise((r) => setTimeout(r, 1_500));

    expect(pages.length).toBeGreaterThanOrEqual(10);
    expect(locations.length).toBeGreaterThanOrEqual(3);
    const logs = server.output().slice(logsBefore);
    expect(logs).toContain('"path":"/demande/:email"');
    expect(logs).toContain('"path":"/x/:number"');
    for (const secret of secrets) {
      expect(logs, `logs: ${secret}`).not.toContain(secret);
      for (const location of locations) expect(decodeURIComponent(location), `redirect: ${secret}`).not.toContain(secret);
      for (const [what, html] of pages) {
        if (what.startsWith("filing") || what.startsWith("status, malformed")) continue; // a form shows back what this person just typed
        // A page keeps its own URL in its hydration data (the visitor's address bar has it anyway): what it says must not repeat it.
        const shown = what.startsWith("404 with") ? textOf(html) : html;
        expect(shown.toLowerCase(), `${what}: ${secret}`).not.toContain(secret.toLowerCase());
      }
    }
    // The forms that show back what was typed show only what was typed.
    expect(pages.find(([w]) => w.startsWith("filing, bad email"))![1]).not.toContain("example.fr");
    expect(pages.find(([w]) => w.startsWith("status, malformed"))![1]).not.toContain(david.email);
  });

  it("serves security headers", async () => {
    const res = await fetch(`${base}/`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });
});

describe("start-up configuration", () => {
  it("refuses to start with a bad connectors file, naming the exact path of the error", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-badcfg-"));
    const file = path.join(dir, "connectors.config.json");
    writeFileSync(file, JSON.stringify({ connectors: [{ id: "crm", kind: "crm-http", label: "CRM", baseUrl: "http://127.0.0.1:1", breaker: { cooldownMs: -5 } }] }));
    const run = spawnSync(TSX, ["scripts/serve.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: "production", APP_ENV: "test", APP_SECRET: "x".repeat(40), DATA_DIR: dir, PORT: "0", CONNECTORS_CONFIG: file },
      encoding: "utf8",
      timeout: 20_000,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Invalid connector configuration");
    expect(run.stderr).toContain("connectors[0].breaker.cooldownMs");
  });

  it("refuses to start in production without its settings, saying which", () => {
    const run = spawnSync(TSX, ["scripts/serve.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: "production", APP_ENV: "production", PORT: "0" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Invalid configuration");
    expect(run.stderr).toContain("SMTP_URL is required when APP_ENV=production");
  });
});
