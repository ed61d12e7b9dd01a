/**
 * The generated sections of docs/benchmarks.md, from what `npm run bench`
 * writes to bench/results.json: each store measured in a column of its own,
 * every figure next to the reference measured on that store in the same run.
 */
import { headlineTableByStore, type HeadlineFigure } from "./bench-headline";
import { STORE_LABEL, type BenchStore } from "./bench-postgres";

type Measures = Record<string, { p50Ms?: number; p95Ms?: number; perSecond?: number; pass?: boolean; posts?: number; concurrency?: number; ratio?: number; ratioP95?: number; reference?: { p95Ms?: number; perSecond?: number; appHealthz?: { p95Ms: number } } }>;
type Archive = {
  sourceMiB: number;
  sourceFiles: number;
  archiveMiBps: number;
  cpMiBps: number;
  ratio: number;
  ratioToReference: number;
  reference: { method: string; MiBps: number };
  rss: { peakMiB: number; baselineMiB: number; sampledPeakMiB: number[]; ratioToReference: number };
};
export type BenchDoc = {
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string };
  tickets: number;
  stores: BenchStore[];
  headline: Partial<Record<BenchStore, HeadlineFigure[]>>;
  results: Partial<Record<BenchStore, { measures: Record<string, unknown> }>>;
  atScale: {
    sizes: { answersPerRespondent: number };
    generated: { respondents: number; answers: number; recordings: number; realAudioFiles: number; crmContacts: number };
    setupSeconds: Record<string, number>;
    totalSeconds: number;
    find: { samples: number; foundInAllThree: number; connectors: { p50Ms: number; p95Ms: number }; raw: { p50Ms: number; p95Ms: number }; ratioP50: number };
    archive: Partial<Record<BenchStore, Archive>>;
    targets: Record<string, { target: string; value: number; pass: boolean }>;
  };
};

const INTAKE = "intake: form posts per second (HTTP, production build)";
const PAGE = "queue page (HTTP): ";
const n = (x: number) => x.toLocaleString("en-US");
const mark = (pass?: boolean) => (pass ? "✅ pass" : "❌ fail");

/** docs/benchmarks.md (`current`) with its two bench sections replaced (or added) from `doc`. */
export function renderBenchDocs(doc: BenchDoc, current: string): string {
  const users = usersSection(doc);
  const atScale = atScaleSection(doc);
  const usersRe = /<!-- bench:users:start[\s\S]*?<!-- bench:users:end -->/;
  let out = usersRe.test(current) ? current.replace(usersRe, users) : current.replace("<!-- bench:at-scale:start", `${users}\n\n<!-- bench:at-scale:start`);
  const re = /<!-- bench:at-scale:start[\s\S]*?<!-- bench:at-scale:end -->/;
  out = re.test(out) ? out.replace(re, atScale) : `${out.trimEnd()}\n\n${atScale}\n`;
  return out;
}

function usersSection(doc: BenchDoc) {
  const { stores, machine } = doc;
  const m = (s: BenchStore) => doc.results[s]!.measures as Measures;
  const first = m(stores[0]!);
  const head = (cols: string[]) => `| ${cols.join(" | ")} |\n|${cols.map(() => "---").join("|")}|`;
  /** "✅ pass", or which stores failed. */
  const passAll = (key: string) => {
    const failed = stores.filter((s) => !m(s)[key]?.pass);
    return failed.length ? `❌ fail (${failed.map((s) => STORE_LABEL[s]).join(", ")})` : "✅ pass";
  };
  const labels = (prefix: string) => Object.keys(first).filter((k) => k.startsWith(prefix));
  const queueRows = labels("queue: ")
    .map((k) => `| ${k.slice("queue: ".length)} | ${stores.map((s) => `${m(s)[k]?.p50Ms} / ${m(s)[k]?.p95Ms} ms`).join(" | ")} | p95 < 50 ms | ${passAll(k)} |`)
    .join("\n");
  const pageRows = labels(PAGE)
    .map((k) => `| ${k.slice(PAGE.length)} | ${stores.map((s) => `${m(s)[k]?.p50Ms} / ${m(s)[k]?.p95Ms} ms | ${m(s)[k]?.reference?.p95Ms} ms | ${m(s)[k]?.ratioP95}×`).join(" | ")} | p95 < 50 ms | ${passAll(k)} |`)
    .join("\n");
  const healthz = stores.map((s) => `${STORE_LABEL[s]} ${(m(s)[`${PAGE}default view`]?.reference?.appHealthz?.p95Ms ?? "?")} ms`).join(", ");
  const intakeCells = stores
    .map((s) => {
      const i = m(s)[INTAKE]!;
      return `${n(i.perSecond!)} /s (p50 ${i.p50Ms} ms, p95 ${i.p95Ms} ms) | ${n(i.reference!.perSecond!)} /s | ${i.ratio}`;
    })
    .join(" | ");
  const filingCells = stores.map((s) => `${n(m(s)["filing (service, no HTTP)"]!.perSecond!)} /s | | `).join(" | ");
  const intake = first[INTAKE]!;
  const perStore = (what: string) => stores.map((s) => `${STORE_LABEL[s]} ${what}`);
  return `<!-- bench:users:start (written by npm run bench; edit the script, not this section) -->
## What users wait for — ${doc.date.slice(0, 10)}

Run by \`npm run bench\`; raw numbers in \`bench/results.json\` (\`results.<store>\`,
\`headline.<store>\`). Machine: ${machine.cores} × ${machine.cpu}, Node ${machine.node}.
Stores: ${stores.map((s) => STORE_LABEL[s]).join(" and ")}${stores.includes("postgres") ? " (the local PostgreSQL server, a fresh database per measure)" : ""}${stores.length > 1 ? ", the same data loaded in each" : ""}.

The headline figures, each against a reference measured in the same run on
the same store (absolute figures move with the runner; the ratio much less):

${headlineTableByStore(doc.headline, stores, (s) => STORE_LABEL[s])}

DPO queue over ${n(doc.tickets)} tickets (the service call behind the page, 50 runs each; p50 / p95):

${head(["view", ...perStore("p50 / p95"), "target", ""])}
${queueRows}

The queue page itself, \`GET /admin\` over HTTP from the production server
(session check, loader, the whole React render; one client, 50 runs after 5
warm-up), against the same client's \`GET /healthz\` on a bare \`node:http\`
server (\`scripts/bench-reference.ts\`, a constant answer; the app's own
\`/healthz\` had p95 ${healthz}):

${head(["view", ...stores.flatMap((s) => [`${STORE_LABEL[s]} p50 / p95`, "reference p95", "ratio"]), "target", ""])}
${pageRows}

${head(["throughput", ...stores.flatMap((s) => [STORE_LABEL[s], "reference, same run", "ratio"]), "target", ""])}
| intake: form posts per second against the production build on 127.0.0.1 (${n(intake.posts!)} valid filings, ${intake.concurrency} keep-alive clients) | ${intakeCells} | ≥ 500 /s | ${passAll(INTAKE)} |
| filing through the service, no HTTP | ${filingCells} | | |

*Intake*: \`scripts/serve.ts\` in its own process with NODE_ENV and APP_ENV
production, the request log on, a fresh database (a SQLite file, or a new
migrated PostgreSQL database with the app's pool of 10), the sender loop off
and SMTP unreachable (mail queues in the outbox); the per-address filing limit
raised for the run. Each post is a complete filing: parse, validate, rate-limit
rows, request, timeline, pause, verification token and outbox row in one
transaction (shared with the filings of the same moment on SQLite), then the 302. The load generator (node:http, keep-alive) runs on
the same machine and shares its cores. Its reference: the same posts from the
same client to a bare \`node:http\` server in its own process
(\`scripts/bench-reference.ts\`) that parses the form and runs one prepared
INSERT per post, then answers the 302: on SQLite, better-sqlite3 on a database
with the app's pragmas; on PostgreSQL, a named prepared statement through a
\`pg\` pool of 10 on a fresh database of the same server (so PostgreSQL's
figures are read against PostgreSQL's ceiling, not SQLite's). The tickets are
loaded in one transaction on each store (PostgreSQL: multi-row INSERTs with
the count trigger off, then \`request_counts\` rebuilt from the table, then
ANALYZE).
<!-- bench:users:end -->`;
}

function atScaleSection(doc: BenchDoc) {
  const { stores, machine } = doc;
  const a = doc.atScale;
  const t = a.targets;
  const pf = (k: string) => (t[k] ? mark(t[k].pass) : "");
  const key = (k: string, s: BenchStore) => (s === "sqlite" ? k : `${k}On${STORE_LABEL[s]}`);
  const anyArchive = a.archive[stores[0]!]!;
  const archiveReference = anyArchive.reference.method.startsWith("cp -r") ? "`cp -r` (zip or openssl not installed)" : "`zip -0` piped through `openssl enc -aes-256-ctr`";
  const archiveRows = stores
    .map((s) => {
      const x = a.archive[s]!;
      const on = stores.length > 1 ? `, rows in ${STORE_LABEL[s]}` : "";
      return `| archive build, ${n(x.sourceMiB)} MiB (${n(x.sourceFiles)} files${on}) | ${x.archiveMiBps} MiB/s | ${archiveReference} ${x.reference.MiBps} MiB/s | ${(x.ratioToReference * 100).toFixed(0)} % | | |
| … against \`cp -r\` | | \`cp -r\` ${x.cpMiBps} MiB/s | ${(x.ratio * 100).toFixed(0)} % | ≥ 80 % | ${pf(key("archiveAtLeast80PctOfCp", s))} |
| peak RSS of the process building it${on} (max of 50 ms samples and \`maxRSS\`) | ${x.rss.peakMiB} MiB = ${t[key("rssUnder200MB", s)]?.value} MB (50 ms samples peaked at ${Math.max(...x.rss.sampledPeakMiB)} MiB) | the same process at rest before the build: ${x.rss.baselineMiB} MiB | ${x.rss.ratioToReference}× | < 200 MB | ${pf(key("rssUnder200MB", s))} |`;
    })
    .join("\n");
  return `<!-- bench:at-scale:start (written by npm run bench; edit the script, not this section) -->
## At scale — ${doc.date.slice(0, 10)}

Run by \`npm run bench\` in one process (the archive builds in a child
process so its memory is its own); raw numbers in \`bench/results.json\`.
Machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}.
Data: ${n(a.generated.respondents)} survey respondents with ${n(a.generated.answers)} answers (${a.sizes.answersPerRespondent} each: the demo
generator's 2–4, topped up), ${n(a.generated.recordings)} recordings (metadata;
${a.generated.realAudioFiles} real WAV files), a CRM of ${n(a.generated.crmContacts)} contacts over HTTP on
127.0.0.1. Setup took ${Object.values(a.setupSeconds).reduce((x, y) => x + y, 0).toFixed(0)} s; the whole section ${a.totalSeconds} s.
*find* involves no RightsDesk store (the connectors' own databases and HTTP), so it is measured once;
the archive is built once per store (${stores.map((s) => STORE_LABEL[s]).join(", ")}), its gather store's rows in that store, against the same reference runs.

| measure | value | reference, same run | ratio | target | |
|---|---|---|---|---|---|
| find, 3 connectors in parallel, one verified person (email + phone), ${a.find.samples} people — p50 | ${a.find.connectors.p50Ms} ms | ${a.find.raw.p50Ms} ms | ${a.find.ratioP50}× | < 50 ms | ${pf("findP50Under50ms")} |
| … p95 | ${a.find.connectors.p95Ms} ms | ${a.find.raw.p95Ms} ms | | | |
| find ÷ raw, p50 | | | ${a.find.ratioP50}× | ≤ 3× | ${pf("findWithin3xRaw")} |
${archiveRows}

How it is measured. *find*: each sample is one person picked at random among
the generated respondents who have a phone, added to the CRM and given two
calls in the recordings index so that all three sources hold them (${a.find.foundInAllThree} of ${a.find.samples}
found in all three); \`Promise.all\` of the three connectors' \`find\` against
the same lookups done raw, also in parallel: better-sqlite3 prepared
statements on the survey database (email via the \`lower(email)\` index, phone,
answers by respondent) and on the recordings index (caller OR called number),
and two plain \`fetch\`es to the CRM's \`/contacts\` search (email then phone, as
the connector does). The CRM server runs in the same process, so both sides
share one event loop. *Archive*: the production \`buildArchive\`, sealed with
AES-256-GCM as \`releaseArchive\` seals it, in a fresh process, from a gather
store written by \`createGatherSink\` (the looked-up people's exported records,
the real recordings, and 16 MiB WAV files up to the size, all encrypted at
rest): decrypt, CRC-32, zip (JSON/CSV deflated, WAV stored), encrypt, write.
Its reference, \`zip -0\` piped through \`openssl enc -aes-256-ctr\`, reads
the same records (as JSON and CSV) and WAV files in clear: read, CRC-32,
store, encrypt, write, one pass (AES-256-CTR: the app's GCM is CTR plus an
authentication tag, which \`openssl enc\` does not offer; if \`zip\` or
\`openssl\` is missing the reference falls back to \`cp -r\`, and says so).
\`cp -r\` copies those files, for the target;
GNU cp uses \`copy_file_range\`, an in-kernel copy that no program reading
its input can match. All three on a warm page cache, none fsyncs; best of two
runs each. *RSS*: \`process.memoryUsage().rss\` every 50 ms and
\`resourceUsage().maxRSS\` in the child that builds the archive (run through
tsx, whose loader thread alone is ~35 MiB).
<!-- bench:at-scale:end -->`;
}
