/**
 * `npm run demo`: everything a newcomer needs in one command — configuration
 * with demo defaults, migrations, demo data, a production build, and the
 * server at http://localhost:3000 with mail going to the development outbox.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
process.env.APP_ENV ??= "demo";
process.env.LOG_LEVEL ??= "warn";

const { env } = await import("../app/utils/env.server");
const { db } = await import("../app/utils/db.server");
const { DEMO_STAFF, deliverSeedHistory, seed, seedAnswerCases, seedCorinne, seedSiteTickets, seedStaff } = await import("./seed");
const { seedRegister } = await import("./seed-register");
const { buildIfStale } = await import("./build-if-stale");
const { startServer } = await import("./serve");

const config = env();

// Demo connectors: the survey database, call recordings and the client CRM,
// generated under the data directory and named in connectors.config.json.
// Their secrets come from the environment, as in production.
// Derived from APP_SECRET (env.server.ts, demoConnectorSecret): the CLI run beside the demo finds the same ones.
const { existsSync } = await import("node:fs");
const { demoConnectorSecret } = await import("../app/utils/env.server");
process.env.SURVEY_HASH_KEY ??= demoConnectorSecret("SURVEY_HASH_KEY")!;
process.env.DEMO_CRM_TOKEN ??= demoConnectorSecret("DEMO_CRM_TOKEN")!;
const { createDemoSurveyDatabase } = await import("../app/connectors/sql-survey/demo");
const { createDemoRecordings } = await import("../app/connectors/recordings/demo");
const { startDemoCrm } = await import("./demo-crm");
const surveyFile = path.join(config.DATA_DIR, "demo-survey.sqlite");
if (!existsSync(surveyFile)) await createDemoSurveyDatabase({ dialect: "sqlite", url: `file:${surveyFile}` }, { respondents: 2_000, seed: 1 });
createDemoRecordings({ root: path.join(config.DATA_DIR, "recordings", "audio"), index: path.join(config.DATA_DIR, "recordings", "index.sqlite"), count: 500, realAudio: 60, seed: 1, now: new Date() });
const crm = await startDemoCrm({ port: config.DEMO_CRM_PORT, host: "127.0.0.1", dbPath: path.join(config.DATA_DIR, "demo-crm.sqlite"), token: process.env.DEMO_CRM_TOKEN, contacts: 500 });
const seedStarted = new Date();
await seedStaff(db());
await seedRegister(db(), new Date());
const { created } = await seed(db());
const siteTickets = await seedSiteTickets(db());
const corinne = await seedCorinne(db());
const cases = await seedAnswerCases(db());
// The seeded past's messages go out at their own dates (to the dev outbox), as they would have then.
await deliverSeedHistory(db(), seedStarted);
// Retention: one old recording held for a dispute; what the first daily run (at start) is about to purge, in counts.
const { seedRetentionHold } = await import("./seed");
const { connectors } = await import("../app/utils/connectors.server");
const { reportLines, runRetention } = await import("../app/services/retention.server");
await seedRetentionHold(db(), connectors());
const retentionPreview = reportLines(await runRetention({ db: db(), registry: connectors(), dryRun: true, trigger: "cli" }));
if (created.length || siteTickets) console.log(`Demo data: ${created.length + siteTickets} requests over the five sites.`);
console.log("Building the site (first run takes a few seconds)…");
buildIfStale(root, { quiet: true });
await startServer({ quiet: true });

const url = config.BASE_URL;
console.log(`
RightsDesk is running at ${url}

  Public site (French, English via the switch)  ${url}/
  File a request                                ${url}/demande
  Follow a request                              ${url}/suivi
  Development outbox (emails and SMS "sent")    ${url}/dev/outbox
  Back office (DPO queue, tickets, reports)     ${url}/admin
  Demo CRM (its REST API, token in DEMO_CRM_TOKEN) ${crm.url}

Back-office accounts (demo passwords):
${DEMO_STAFF.map((s) => `  ${s.role.padEnd(8)} ${s.site.padEnd(9)} ${s.email.padEnd(34)} ${s.password}`).join("\n")}

What to try:
  1. File a request at ${url}/demande with any email address.
  2. Open ${url}/dev/outbox, open "Confirmez votre demande …", follow the link.
  3. Press "Je confirme ma demande": the status page shows the due date
     computed under Regulation 1182/71 (one month, next working day).
  4. Check any date yourself:  npm run -s deadline -- 2026-01-31
  5. Sign in at ${url}/admin as the DPO: the queue shows overdue and at-risk
     tickets from the five sites; open one to extend or refuse it.
  6. Ticket ${corinne} (Corinne Desmarc, seen in person with her identity card; her
     email proven by a code): as support, search for her data. Her landline
     is not proven, so the recordings are "not searched" until you confirm
     the number found in her survey record ("Rechercher aussi avec …").
     Prepare a rectification and the erasure plan; as the DPO, approve them;
     the certificate and the Art. 19 notices appear in the outbox. The audit
     journal is at ${url}/admin/journal.
  7. Ticket ${cases.nobody} (Marc Personne, held in no system): search; every system
     answers "nothing"; as the DPO, "Envoyer la réponse « aucune donnée »": a
     letter with the systems searched, no archive, no certificate. From a
     terminal: npm run -s cli -- gather ${cases.nobody}, then
     npm run -s cli -- export ${cases.nobody} --kind access --out nobody.zip
  8. Ticket ${cases.caller} (a caller at Lille, agent.lille): check that the number
     is on record, "call it back", confirm: the phone is proven and searched.
  9. Ticket ${cases.postal} (a letter from Julien Desmarc): print the letter with
     its code ("Courriers"), mark it posted, type the code in as if he phoned
     it back; he is then searched by name and postcode.
 10. Ticket ${cases.representative} (a lawyer for David Blanc): read the mandate,
     accept it; David confirms his address from the outbox link; only then
     is he searched, and the answer goes to the lawyer, as the mandate says.

 11. Retention: the server's workers run the retention job at start, then
     once a day. Before this start it would purge (counts only):
${retentionPreview.map((l) => `       ${l}`).join("\n")}
     Recording rec-000001 (David Blanc's call, 41 days ago, past OP-01's 25
     days) is kept: the DPO held it for a dispute at ${url}/admin/conservation,
     where a hold is lifted. From a terminal:
     npm run -s cli -- retention run --dry-run

Deadline reminders: the server's workers email the daily digest once a
working day from 07:00 (Paris; REMINDERS_HOUR); to send it now (add
--force if it already went today):
  npm run -s cli -- reminders

Data lives in ${path.relative(root, config.DATA_DIR) || "."}/ (delete it to start afresh). Ctrl+C stops the server.
`);
