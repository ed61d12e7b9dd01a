import { writeFileSync } from "node:fs";
import path from "node:path";
import { createDemoRecordings } from "../../app/connectors/recordings/demo";
import { createDemoSurveyDatabase } from "../../app/connectors/sql-survey/demo";
import { demoSurveyMapping } from "../../app/connectors/sql-survey/demo-mapping";
import { AgentIntakeInput, recordRequest } from "../../app/services/agent-intake.server";
import { runNextJob } from "../../app/services/gather.server";
import { instantToParisLocal } from "../../app/services/paris-time";
import { closeConnectors, connectors } from "../../app/utils/connectors.server";
import { seedRegister } from "../../db/seed-register";
import { afterEach, beforeEach } from "vitest";
import { resetEnvForTests } from "../../app/utils/env.server";
import { crmApi, CRM_BASE_URL } from "../mocks/crm";
import { startApp, type TestApp } from "./app";
import { signedIn } from "./staff";

/** Art. 19 contacts: the survey client for the survey operations, the CRM's client company. */
export const TEST_RECIPIENTS = [
  { name: "Osiris", email: "rgpd@osiris.example", operations: ["OP-02", "OP-03", "OP-04"] },
  { name: "Client CRM", email: "dpo@client-crm.example", operations: ["OP-06"] },
];

/**
 * The three demo connectors for a test app: a real SQLite survey database,
 * real recordings on disk, and the CRM through msw (a third party).
 */
export async function withDemoConnectors(app: TestApp, opts: { respondents?: number; recordings?: number; realAudio?: number; seed?: number } = {}) {
  const seed = opts.seed ?? 7;
  const surveyFile = path.join(app.dir, "survey.sqlite");
  await createDemoSurveyDatabase({ dialect: "sqlite", url: `file:${surveyFile}` }, { respondents: opts.respondents ?? 50, seed });
  const recordingsRoot = path.join(app.dir, "recordings");
  createDemoRecordings({ root: recordingsRoot, index: path.join(recordingsRoot, "index.sqlite"), count: opts.recordings ?? 40, realAudio: opts.realAudio ?? 10, seed });
  const configFile = path.join(app.dir, "connectors.config.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      connectors: [
        { id: "survey", kind: "sql-survey", label: "Études de marché", dialect: "sqlite", url: `file:${surveyFile}`, hashKeyEnv: "SURVEY_HASH_KEY", mapping: demoSurveyMapping },
        { id: "recordings", kind: "recordings", label: "Enregistrements d'appels", root: "{dataDir}/recordings", index: "{dataDir}/recordings/index.sqlite" },
        { id: "crm", kind: "crm-http", label: "CRM client", baseUrl: CRM_BASE_URL, tokenEnv: "CRM_TEST_TOKEN", timeoutMs: 300, retries: 1, backoffMs: 10 },
      ],
      recipients: TEST_RECIPIENTS,
    }),
  );
  Object.assign(process.env, { CONNECTORS_CONFIG: configFile, CRM_TEST_TOKEN: "crm-test-token", SURVEY_HASH_KEY: "survey-hash-key-for-tests-0123456789" });
  resetEnvForTests();
  const crm = crmApi();
  app.msw.use(...crm.handlers);
  return { crm, surveyFile, recordingsRoot, configFile };
}

/**
 * For tests that change what the demo systems hold (erasure, rectification):
 * a fresh app and fresh systems per test, with the register seeded. Returns
 * getters, valid inside each test.
 */
export function freshDemoPerTest(opts: Parameters<typeof withDemoConnectors>[1]) {
  let app: TestApp | undefined;
  let demo: Awaited<ReturnType<typeof withDemoConnectors>> | undefined;
  beforeEach(async () => {
    app = await startApp();
    demo = await withDemoConnectors(app, opts);
    seedRegister(app.db(), new Date());
  });
  afterEach(async () => {
    await closeConnectors();
    await app?.stop();
  });
  return { app: () => app!, demo: () => demo! };
}

/** Runs the gather queue to the end, as the worker loop would. */
export async function drainGather(app: TestApp) {
  while (await runNextJob({ db: app.db(), registry: connectors() }));
}

/** Corinne Desmarc, recorded by support who saw her in person: email and phone both verified. */
export async function corinneInPerson(app: TestApp, rights: string[] = ["access"]) {
  const support = await signedIn(app, "support");
  const { reference } = recordRequest({
    ctx: { db: app.db(), now: new Date(), actor: { kind: "staff", id: support.id, role: "support", site: "tours", email: support.email, displayName: "Support" } },
    input: AgentIntakeInput.parse({
      channel: "in_person",
      receivedAtLocal: instantToParisLocal(new Date(Date.now() - 3_600_000)),
      site: "tours",
      rights,
      lastName: "Desmarc",
      firstName: "Corinne",
      email: "desmarc.corinne@orange.fr",
      phone: "02 47 00 00 00",
      details: "",
      verification: "attested",
    }),
  });
  return { reference, browser: support.browser };
}
