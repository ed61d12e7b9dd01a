import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startSmtpSink } from "./helpers/smtp-sink";
import { Browser, validRequest } from "./helpers/app";

const ROOT = path.resolve(import.meta.dirname, "..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

/**
 * `npm start` as an operator runs it: a separate process from the production
 * build, with its own worker loop delivering mail to a real SMTP server.
 */
describe("the production server process", () => {
  let child: ChildProcess;
  let output = "";
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let dir: string;
  let base: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-server-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(TSX, ["scripts/serve.ts"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        APP_ENV: "test",
        PORT: String(port),
        HOST: "127.0.0.1",
        BASE_URL: base,
        DATA_DIR: dir,
        APP_SECRET: "server-test-secret-long-enough-0123456789abcdef",
        SMTP_URL: sink.url,
        SMS_GATEWAY_URL: "http://127.0.0.1:9/unused",
        LOG_LEVEL: "debug",
        CONNECTORS_CONFIG: path.join(dir, "none.json"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const started = Date.now();
    while (!output.includes("listening on port")) {
      if (Date.now() - started > 20_000) throw new Error(`server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    child?.kill("SIGTERM");
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
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
    expect(await verified.text()).toContain("Reçue, en attente de traitement");

    const token = new URL(link).pathname.split("/").pop()!;
    expect(output).toContain('"event":"http"');
    for (const secret of [person.email, "+33698765431", "06 98 76 54 31", person.lastName, person.firstName, token]) {
      expect(output).not.toContain(secret);
    }
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
