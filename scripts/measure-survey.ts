/**
 * How long `find` takes on a demo survey database of a given size.
 *
 *   npx tsx app/connectors/sql-survey/measure.ts [respondents=100000] [dialect=sqlite] [url]
 *
 * Without a url, sqlite uses a temp file (removed afterwards); postgres and
 * mariadb need one (the database's survey tables are replaced).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ExportSink, IdentifierKind, VerifiedIdentity } from "../app/connectors/types";
import { createDemoSurveyDatabase, DEMO_RESPONDENTS, demoSurveyRows } from "../app/connectors/sql-survey/demo";
import { demoSurveyMapping } from "../app/connectors/sql-survey/demo-mapping";
import type { Dialect } from "../app/connectors/sql-survey/dialect";
import { ConfigSchema, create } from "../app/connectors/sql-survey/index";

const count = Number(process.argv[2] ?? 100_000);
const dialect = (process.argv[3] ?? "sqlite") as Dialect;
const dir = process.argv[4] ? undefined : mkdtempSync(path.join(tmpdir(), "rd-survey-measure-"));
const url = process.argv[4] ?? `file:${path.join(dir!, "survey.sqlite")}`;
const RUNS = 200;

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { mean: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(3), p50: +at(0.5).toFixed(3), p95: +at(0.95).toFixed(3), max: +s[s.length - 1]!.toFixed(3) };
}

try {
  const created = await createDemoSurveyDatabase({ dialect, url }, { respondents: count, seed: 1991 });
  console.log(`created ${created.respondents} respondents, ${created.answers} answers on ${dialect} in ${created.ms} ms`);

  const config = ConfigSchema.parse({
    id: "survey",
    kind: "sql-survey",
    label: "Survey",
    dialect,
    ...(dialect === "sqlite" ? { url } : { urlEnv: "SURVEY_DATABASE_URL" }),
    hashKeyEnv: "SURVEY_MASK_KEY",
    mapping: demoSurveyMapping,
  });
  const connector = create(config, (name) => (name === "SURVEY_MASK_KEY" ? "measure" : url));
  console.log("health", await connector.health());

  // People spread over the whole table, generated the same way as the data.
  const sample: { email: string; phone: string | null; last: string; first: string; postcode: string }[] = [];
  const step = Math.max(1, Math.floor(count / RUNS));
  let i = 0;
  for (const { r } of demoSurveyRows(count, 1991)) {
    if (i++ % step === 0) sample.push({ email: r.email.toLowerCase(), phone: r.phone, last: r.lastName, first: r.firstName, postcode: r.postcode });
  }
  const c = DEMO_RESPONDENTS.corinneDesmarc;
  sample.unshift({ email: c.email, phone: c.phone, last: "Desmarc", first: "Corinne", postcode: c.postcode });

  const signal = new AbortController().signal;
  const kinds: [IdentifierKind | "all three", (p: (typeof sample)[number]) => VerifiedIdentity][] = [
    ["email", (p) => ({ email: p.email })],
    ["phone", (p) => ({ phone: p.phone ?? undefined })],
    ["name_postcode", (p) => ({ nameAndPostcode: { lastName: p.last, firstName: p.first, postcode: p.postcode } })],
    ["all three", (p) => ({ email: p.email, phone: p.phone ?? undefined, nameAndPostcode: { lastName: p.last, firstName: p.first, postcode: p.postcode } })],
  ];
  for (const [label, identity] of kinds) {
    for (const p of sample.slice(0, 10)) await connector.find(identity(p), signal); // warm-up
    const times: number[] = [];
    let found = 0;
    for (const p of sample) {
      const t = performance.now();
      const matches = await connector.find(identity(p), signal);
      times.push(performance.now() - t);
      if (matches.some((m) => m.dataset === "respondents")) found++;
    }
    console.log(`find by ${label}: ${JSON.stringify(stats(times))} ms over ${times.length} lookups (${found} found)`);
  }

  const sink: ExportSink = { record: async () => {}, file: async () => {}, anomaly: async () => {} };
  const exportTimes: number[] = [];
  for (const p of sample) {
    const matches = await connector.find({ email: p.email }, signal);
    const t = performance.now();
    await connector.export(matches, sink);
    exportTimes.push(performance.now() - t);
  }
  console.log(`export of one respondent and answers: ${JSON.stringify(stats(exportTimes))} ms`);
  await connector.close?.();
} finally {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
