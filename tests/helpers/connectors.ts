import { writeFileSync } from "node:fs";
import path from "node:path";
import { createDemoRecordings, demoRecordingsPresentation } from "../../app/connectors/recordings/demo";
import { createDemoSurveyDatabase } from "../../app/connectors/sql-survey/demo";
import { demoSurveyMapping } from "../../app/connectors/sql-survey/demo-mapping";
import { AgentIntakeInput, recordRequest } from "../../app/services/agent-intake.server";
import { runNextJob } from "../../app/services/gather.server";
import { runNextErasure } from "../../app/services/erasure.server";
import { instantToParisLocal } from "../../app/utils/paris-time";
import { closeConnectors, connectors } from "../../app/utils/connectors.server";
import { seedRegister } from "../../scripts/seed-register";
import { and, desc, eq } from "drizzle-orm";
import { afterEach, beforeEach, expect } from "vitest";
import { outbox } from "../../db/schema/outbox";
import { requests } from "../../db/schema/requests";
import { controllerReferrals } from "../../db/schema/referrals";
import { resetEnvForTests } from "../../app/utils/env.server";
import { crmApi, CRM_BASE_URL } from "../mocks/crm";
import { startApp, type Browser, type TestApp } from "./app";
import { signedIn } from "./staff";
import { first } from "../../app/utils/db.server";

/** What the helpers below need of a web process: its database and a browser on it (a test app, or a separate server). */
type Web = Pick<TestApp, "db" | "browser">;
type CrmConfig = { baseUrl: string; token: string; timeoutMs: number; retries: number; backoffMs?: number };
/** `recordedUpTo`: the calls are dated in the days before it (default the demo's fixed date, months ago: a worker's retention run deletes them). */
type SystemsOptions = { respondents?: number; recordings?: number; realAudio?: number; seed?: number; recordedUpTo?: Date };

/**
 * The demo survey database (real SQLite) and recordings (real files) in the
 * app's folder, and the connectors file naming them and the given CRM, by
 * absolute paths (processes with other data directories read them too).
 */
export async function demoSystems(app: Pick<TestApp, "dir">, crm: CrmConfig, opts: SystemsOptions = {}) {
  const seed = opts.seed ?? 7;
  const surveyFile = path.join(app.dir, "survey.sqlite");
  await createDemoSurveyDatabase({ dialect: "sqlite", url: `file:${surveyFile}` }, { respondents: opts.respondents ?? 50, seed });
  const recordingsRoot = path.join(app.dir, "recordings");
  createDemoRecordings({ root: recordingsRoot, index: path.join(recordingsRoot, "index.sqlite"), count: opts.recordings ?? 40, realAudio: opts.realAudio ?? 10, seed, now: opts.recordedUpTo });
  const configFile = path.join(app.dir, "connectors.config.json");
  const { token, ...crmHttp } = crm;
  writeFileSync(
    configFile,
    JSON.stringify({
      connectors: [
        { id: "survey", kind: "sql-survey", label: "Études de marché", dialect: "sqlite", url: `file:${surveyFile}`, hashKeyEnv: "SURVEY_HASH_KEY", mapping: demoSurveyMapping },
        { id: "recordings", kind: "recordings", label: "Enregistrements d'appels", root: recordingsRoot, index: path.join(recordingsRoot, "index.sqlite"), presentation: demoRecordingsPresentation },
        { id: "crm", kind: "crm-http", label: "CRM client", tokenEnv: "CRM_TEST_TOKEN", ...crmHttp },
      ],
    }),
  );
  Object.assign(process.env, { CONNECTORS_CONFIG: configFile, CRM_TEST_TOKEN: token, SURVEY_HASH_KEY: "survey-hash-key-for-tests-0123456789" });
  resetEnvForTests();
  return { surveyFile, recordingsRoot, configFile };
}

/**
 * The three demo connectors for a test app: a real SQLite survey database,
 * real recordings on disk, and the CRM through msw (a third party).
 */
export async function withDemoConnectors(app: TestApp, opts: SystemsOptions = {}) {
  const files = await demoSystems(app, { baseUrl: CRM_BASE_URL, token: "crm-test-token", timeoutMs: 300, retries: 1, backoffMs: 10 }, opts);
  const crm = crmApi();
  app.msw.use(...crm.handlers);
  return { crm, ...files };
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
    await seedRegister(app.db(), new Date());
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

/**
 * Corinne Desmarc, recorded by support who saw her in person with her
 * identity card, her email proven with a code she reads at the desk (over
 * HTTP, as the agent does). Her landline cannot receive a code: it is found
 * in her survey record, and `searchWithFound` confirms it for the recordings.
 */
export async function corinneInPerson(app: Web, rights: string[] = ["access"]) {
  return personInPerson(app, { lastName: "Desmarc", firstName: "Corinne", email: "desmarc.corinne@orange.fr", phone: "02 47 00 00 00", site: "tours" }, rights);
}

/** Nadia Azri, surveyed for Lumen Énergie (not Osiris), seen in person at Lille. */
export async function nadiaInPerson(app: Web, rights: string[] = ["access"]) {
  return personInPerson(app, { lastName: "Azri", firstName: "Nadia", email: "nadia.azri@example.com", phone: "07 81 22 33 44", site: "lille" }, rights);
}

/**
 * A person recorded by support at the desk with an identity card, their email
 * proven by a code they read back (unless `proveEmail` is false).
 */
export async function personInPerson(
  app: Web,
  p: { lastName: string; firstName: string; email: string; phone: string; site: "tours" | "lille"; details?: string },
  rights: string[],
  opts: { proveEmail?: boolean } = {},
) {
  const support = await signedIn(app, "support", p.site);
  const { reference } = await recordRequest({
    ctx: { db: app.db(), now: new Date(), actor: { kind: "staff", id: support.id, role: "support", site: p.site, email: support.email, displayName: "Support" } },
    input: AgentIntakeInput.parse({
      channel: "in_person",
      receivedAtLocal: instantToParisLocal(new Date(Date.now() - 3_600_000)),
      site: p.site,
      rights,
      lastName: p.lastName,
      firstName: p.firstName,
      email: p.email,
      phone: p.phone,
      details: p.details ?? "",
      verification: "document",
    }),
  });
  if (opts.proveEmail !== false) await proveByCode(app, support.browser, reference, "email");
  return { reference, browser: support.browser };
}

/** The code last sent for this request, as the person would read it from their message. */
export async function sentCode(app: Web, reference: string): Promise<string> {
  const id = (await first(app.db().select({ id: requests.id }).from(requests).where(eq(requests.reference, reference))))!.id;
  const row = await first(app.db().select({ text: outbox.text }).from(outbox).where(and(eq(outbox.requestId, id), eq(outbox.template, "agent_code"))).orderBy(desc(outbox.id)));
  // The reference ends in six digits too: the code is the last group of six.
  const code = row ? [...row.text.matchAll(/(?<![\d-])(\d{6})(?!\d)/g)].at(-1)?.[1] : undefined;
  if (!code) throw new Error(`no code sent for ${reference}`);
  return code;
}

/** Staff send a code to one of the person's contacts and type in what the person reads back. */
export async function proveByCode(app: Web, browser: Browser, reference: string, via: "email" | "sms") {
  expect((await browser.post(`/admin/demandes/${reference}`, { intent: "contact-code-send", via })).status).toBe(302);
  const res = await browser.post(`/admin/demandes/${reference}`, { intent: "contact-code-check", via, [via === "email" ? "code-email" : "code-phone"]: await sentCode(app, reference) });
  expect(res.status).toBe(302);
}

/** The "found in …" identifiers offered on the ticket page, as staff see them. */
export async function foundOffers(browser: Browser, reference: string): Promise<{ kind: string; token: string; value: string }[]> {
  const html = await (await browser.get(`/admin/demandes/${reference}`)).text();
  return [...html.matchAll(/<tr data-found-kind="(\w+)" data-found-token="([^"]+)"><th scope="row">([^<]+)<\/th>/g)].map((m) => ({ kind: m[1]!, token: m[2]!, value: m[3]! }));
}

/** Confirms every identifier found in the records (as support would, one click each), then runs the new searches. */
export async function searchWithFound(app: TestApp, browser: Browser, reference: string) {
  for (const offer of await foundOffers(browser, reference)) {
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "identifier-confirm", token: offer.token })).status).toBe(302);
  }
  await drainGather(app);
}

/** The whole search as staff run it: every system, then again with what was found and confirmed. */
export async function gatherAll(app: TestApp, browser: Browser, reference: string) {
  expect((await browser.post(`/admin/demandes/${reference}`, { intent: "gather" })).status).toBe(302);
  await drainGather(app);
  await searchWithFound(app, browser, reference);
}

/**
 * Neva Assurances (OP-06: CentreCall is its processor for its CRM) answers
 * the request forwarded to it: support records, for each referral on the
 * ticket, the instructions the request's rights call for (give the data,
 * erase, rectify, restrict), as staff would from the ticket page. Tests of
 * what RightsDesk does with the CRM's data once instructed use it; tests of
 * the wait itself are in tests/processor.test.ts.
 */
export async function controllersInstruct(app: Web, browser: Browser, reference: string) {
  const r = (await first(app.db().select().from(requests).where(eq(requests.reference, reference))))!;
  const wanted = [
    ...(r.rights.includes("access") || r.rights.includes("portability") ? ["answer"] : []),
    ...(r.rights.includes("erasure") ? ["erase"] : []),
    ...(r.rights.includes("rectification") ? ["rectify"] : []),
    ...(r.rights.includes("restriction") ? ["restrict"] : []),
  ];
  for (const referral of (await app.db().select().from(controllerReferrals).where(eq(controllerReferrals.requestId, r.id)))) {
    for (const instruction of wanted) {
      const res = await browser.post(`/admin/demandes/${reference}`, { intent: "referral-instruct", referralId: String(referral.id), instruction, note: "" });
      expect(res.status, instruction).toBe(302);
    }
  }
}

/**
 * The erasure worker loop as the server runs it, with its own clock: moved
 * past any lease (a dead process's) and retry delay, and never back. What it
 * queues is due at `after()`, ahead of the test's clock.
 */
export function erasureWorker(app: () => TestApp) {
  let clock = 0;
  return {
    async run(passes = 10) {
      clock = Math.max(clock, Date.now()) + 6 * 60_000;
      for (let i = 0; i < passes; i++) {
        const t = new Date((clock += 120_000));
        if (!(await runNextErasure({ db: app().db(), registry: connectors(), now: () => t }))) break;
      }
    },
    /** a moment after the worker's last pass, to deliver what it queued */
    after: () => new Date(clock + 60_000),
  };
}

/** Corinne's request filed in person with these rights, every system searched, and the client's instruction to include its part: ready to release. */
export async function gatheredCorinne(app: TestApp, rights: string[]) {
  const { reference, browser } = await corinneInPerson(app, rights);
  await gatherAll(app, browser, reference);
  await controllersInstruct(app, browser, reference);
  return { reference, support: browser };
}
