import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoRecordings } from "../app/connectors/recordings/demo";
import { createDemoSurveyDatabase } from "../app/connectors/sql-survey/demo";
import { demoSurveyMapping } from "../app/connectors/sql-survey/demo-mapping";
import { AgentIntakeInput, recordRequest } from "../app/services/agent-intake.server";
import { instantToParisLocal } from "../app/utils/paris-time";
import { createStaff, toActor } from "../app/services/staff.server";
import { closeDb, db } from "../app/utils/db.server";
import { closeConnectors, connectors } from "../app/utils/connectors.server";
import { runNextJob } from "../app/services/gather.server";
import { findByReference } from "../app/services/requests.server";
import { gatherJobs, gatheredItems } from "../db/schema/gather";
import { eq } from "drizzle-orm";
import { resetEnvForTests } from "../app/utils/env.server";
import { provesContactInPerson } from "../scripts/seed";
import { cli } from "./helpers/processes";

let dir: string;
let env: NodeJS.ProcessEnv;
let reference: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-cli-gather-"));
  await createDemoSurveyDatabase({ dialect: "sqlite", url: `file:${dir}/survey.sqlite` }, { respondents: 20, seed: 3 });
  createDemoRecordings({ root: `${dir}/recordings`, index: `${dir}/recordings/index.sqlite`, count: 20, realAudio: 5, seed: 3 });
  writeFileSync(
    `${dir}/connectors.json`,
    JSON.stringify({
      connectors: [
        { id: "survey", kind: "sql-survey", label: "Études", dialect: "sqlite", url: `file:${dir}/survey.sqlite`, hashKeyEnv: "SURVEY_HASH_KEY", mapping: demoSurveyMapping },
        { id: "recordings", kind: "recordings", label: "Enregistrements", root: "{dataDir}/recordings", index: "{dataDir}/recordings/index.sqlite" },
      ],
    }),
  );
  env = {
    PATH: process.env.PATH!,
    NODE_ENV: "test",
    APP_ENV: "test",
    APP_SECRET: "cli-gather-secret-long-enough-0123456789",
    DATA_DIR: dir,
    DATABASE_URL: `file:${dir}/app.sqlite`,
    CONNECTORS_CONFIG: `${dir}/connectors.json`,
    SURVEY_HASH_KEY: "cli-survey-hash-key-0123456789",
    BASE_URL: "http://127.0.0.1:9",
    LOG_LEVEL: "silent",
  };
  Object.assign(process.env, env);
  resetEnvForTests();
  closeDb();
  reference = await davidBlancInPerson("cli.agent@centrecall.example");
  closeDb();
  mkdirSync(path.join(dir, "out"), { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A ticket for David Blanc (in both demo systems), recorded by a new agent who saw him in person. */
async function davidBlancInPerson(agentEmail: string) {
  const { staff } = await createStaff({ ctx: { db: db(), now: new Date(), actor: { kind: "system" } }, input: { email: agentEmail, displayName: "Agent", role: "agent", site: "tours" }, password: "x".repeat(16) });
  const ctx = { db: db(), now: new Date(), actor: toActor(staff) };
  const { reference } = await recordRequest({
    ctx,
    input: AgentIntakeInput.parse({
      channel: "in_person", receivedAtLocal: instantToParisLocal(new Date(Date.now() - 60_000)), site: "tours", rights: ["access"],
      lastName: "Blanc", firstName: "David", email: "david.blanc@example.fr", phone: "06 12 34 56 78", details: "", verification: "document",
    }),
  });
  // He shows his identity card and reads back the codes sent to his email and his mobile.
  await provesContactInPerson(ctx, reference, "email");
  await provesContactInPerson(ctx, reference, "sms");
  return reference;
}

describe("npm run -s cli -- gather", () => {
  it("searches every connector for the verified person and prints one line each", { timeout: 120_000 }, async () => {
    const run = await cli(["gather", reference], env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    // One of four answers per system, with the identifiers it was searched with and where each came from.
    expect(lines[0]).toMatch(/^survey found records=[1-9]\d* files=0 anomalies=\d+ searched-with=email\(proven_email\),phone\(proven_phone\)$/);
    expect(lines[1]).toMatch(/^recordings found records=[1-9]\d* files=[1-9]\d* anomalies=0 searched-with=phone\(proven_phone\)$/);
    // No personal data on the terminal.
    expect(run.stdout).not.toContain("Blanc");
  });

  it("exports the access archive to a file after the gather, and refuses an unknown kind", { timeout: 120_000 }, async () => {
    const out = path.join(dir, "out", "archive.zip");
    const run = await cli(["export", reference, "--kind", "access", "--out", out], env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/archive\.zip \d+ bytes \d+ entries sha256=[0-9a-f]{64}/);
    expect(readFileSync(out).subarray(0, 2).toString("latin1")).toBe("PK");
    expect((await cli(["export", reference, "--kind", "everything", "--out", out], env)).code).toBe(2);
  });

  it("refuses a portability archive for a request that asks only for access, writing nothing", { timeout: 120_000 }, async () => {
    const out = path.join(dir, "out", "portability.zip");
    const run = await cli(["export", reference, "--kind", "portability", "--out", out], env);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("cli: refused: the request does not ask for portability (Art. 20), so no portability archive");
    expect(run.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
  });

  it("finishes once after the process is killed in the middle of a gather: the worker loop takes over", { timeout: 120_000 }, async () => {
    const again = await davidBlancInPerson("cli.agent2@centrecall.example");
    closeDb();
    // SIGKILL right after the first record is stored: no cleanup, no finally.
    const killed = await cli(["gather", again], { ...env, FAULT_INJECT: "gather-record-stored" });
    expect(killed.signal).toBe("SIGKILL");
    const requestId = (await findByReference(db(), again))!.id;
    const jobs = async () => await db().select().from(gatherJobs).where(eq(gatherJobs.requestId, requestId));
    expect((await jobs()).some((j) => j.status === "running")).toBe(true);

    // The server's worker loop, once the dead process's lease has run out.
    const later = () => new Date(Date.now() + 6 * 60_000);
    while (await runNextJob({ db: db(), registry: connectors(), now: later }));
    expect((await jobs()).map((j) => j.status)).toEqual(["done", "done"]);
    expect((await jobs()).find((j) => j.connectorId === "survey")!.attempts).toBe(2);
    const items = await db().select().from(gatheredItems).where(eq(gatheredItems.requestId, requestId));
    const ids = items.map((r) => `${r.connectorId}:${r.kind}:${r.dataset}:${r.itemKey}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(items.filter((i) => i.kind === "record").length).toBe((await jobs()).reduce((n, j) => n + (j.records ?? 0), 0));
    await closeConnectors();
    closeDb();
  });

  it("says so for an unknown reference (exit 1) and a malformed one (exit 2)", { timeout: 120_000 }, async () => {
    const unknown = await cli(["gather", "DSR-2026-999999"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no such request");
    const bad = await cli(["gather", "nope"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("gather needs one reference");
  });
});
