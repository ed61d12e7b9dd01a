/**
 * `npm run -s budget`: the weight and speed of the public pages people land
 * on, against the budgets of issue 16, measured on the production build.
 *
 *  - the production server (`scripts/serve.ts`, NODE_ENV and APP_ENV
 *    production) in its own process with a fresh database;
 *  - each budgeted page loaded in Chromium (Playwright): the bytes
 *    transferred (headers + encoded, i.e. compressed, bodies) of every
 *    request the page makes, HTML, JS, CSS, fonts and images alike, and any
 *    request the Content-Security-Policy refused;
 *  - Lighthouse (mobile preset: simulated slow 4G and a mid-range phone),
 *    performance and accessibility;
 *  - the Nu HTML Checker over the public pages in French and English (the
 *    back office is walked by tests/html-validity.test.ts).
 *
 * Prints a table, rewrites the generated "Page weight" section of
 * docs/benchmarks.md (BUDGET_NO_DOCS=1 to leave it), and exits 1 when a
 * budget is exceeded. Needs Chromium (CHROME_PATH, default /usr/bin/chromium)
 * and, for the HTML check, Java.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { chromium } from "playwright-core";
import { buildIfStale } from "./build-if-stale";
import { startProductionServer } from "./production-server";
import { formatNu, javaPresent, nuErrors, PUBLIC_PAGES } from "./html-check";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CHROME = process.env.CHROME_PATH ?? "/usr/bin/chromium";
const BUDGET = { kib: 150, performance: 0.95, accessibility: 1 };
const PAGES = ["/", "/demande"];
/** Lighthouse runs per page; the median run (by performance) is kept, as Lighthouse's own guidance advises on a shared machine. */
const RUNS = Number(process.env.BUDGET_RUNS ?? 5);
const CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

type PageFigures = { path: string; requests: number; bytes: number; byType: Record<string, number>; csp: string[]; performance: number; performanceRuns: number[]; accessibility: number; fcpMs: number; lcpMs: number; tbtMs: number; lighthouseBytes: number };

buildIfStale(ROOT);
const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-budget-"));
const server = await startProductionServer({ dataDir: path.join(dir, "data") });
let exitCode = 0;
try {
  const figures: PageFigures[] = [];
  for (const p of PAGES) figures.push({ path: p, ...(await transferred(server.base + p)), ...(await audit(server.base + p)) });
  const nu = await checkHtml(server.base, dir);

  const kib = (b: number) => (b / 1024).toFixed(1);
  console.log(`\n${"page".padEnd(10)} ${"requests".padStart(8)} ${"KiB".padStart(7)}  perf  a11y   FCP ms  LCP ms  TBT ms  CSP`);
  for (const f of figures) {
    console.log(`${f.path.padEnd(10)} ${String(f.requests).padStart(8)} ${kib(f.bytes).padStart(7)}  ${f.performance.toFixed(2)}  ${f.accessibility.toFixed(2)}  ${String(f.fcpMs).padStart(7)} ${String(f.lcpMs).padStart(7)} ${String(f.tbtMs).padStart(7)}  ${f.csp.length ? f.csp.join("; ") : "none"}`);
    console.log(`           ${Object.entries(f.byType).map(([t, b]) => `${t} ${kib(b)} KiB`).join(", ")}; performance runs ${f.performanceRuns.join(", ")}`);
  }
  console.log(`\nNu HTML Checker: ${nu.pages} public pages (fr + en), ${nu.errors === null ? "not run (no java)" : `${nu.errors} errors`}`);
  if (nu.report) console.log(nu.report);

  const failures = figures.flatMap((f) => [
    ...(f.bytes > BUDGET.kib * 1024 ? [`${f.path}: ${kib(f.bytes)} KiB > ${BUDGET.kib} KiB`] : []),
    ...(f.performance < BUDGET.performance ? [`${f.path}: performance ${f.performance} < ${BUDGET.performance}`] : []),
    ...(f.accessibility < BUDGET.accessibility ? [`${f.path}: accessibility ${f.accessibility} < ${BUDGET.accessibility}`] : []),
    ...(f.csp.length ? [`${f.path}: ${f.csp.length} CSP violation(s)`] : []),
  ]);
  if (nu.errors) failures.push(`${nu.errors} HTML errors`);
  if (process.env.BUDGET_NO_DOCS !== "1") writeDocs(figures, nu);
  if (failures.length) {
    console.log(`\nOVER BUDGET:\n  ${failures.join("\n  ")}`);
    exitCode = 1;
  } else console.log("\nWithin budget.");
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);

/** Every request the page makes until the network is idle, as Chromium counts it on the wire. */
async function transferred(url: string) {
  const browser = await chromium.launch({ executablePath: CHROME, args: ["--no-sandbox"] });
  try {
    const context = await browser.newContext({ locale: "fr-FR" });
    const page = await context.newPage();
    const csp: string[] = [];
    // Chromium does not always log a refusal that the page's script caught (zod's eval probe was one): listen for the event itself.
    await page.exposeFunction("__cspViolation", (what: string) => csp.push(what));
    await page.addInitScript(() =>
      document.addEventListener("securitypolicyviolation", (e) => (window as unknown as { __cspViolation(w: string): void }).__cspViolation(`${e.violatedDirective} ${e.blockedURI}`)),
    );
    const finished: Promise<{ type: string; bytes: number }>[] = [];
    let loading = true;
    page.on("requestfinished", (r) => {
      if (loading) finished.push(r.sizes().then((s) => ({ type: r.resourceType(), bytes: s.responseBodySize + s.responseHeadersSize })));
    });
    await page.goto(url, { waitUntil: "networkidle" });
    loading = false;
    const sizes = await Promise.all(finished);
    // Then what the page's own script does when used: a form sent empty runs its checks.
    const submit = page.locator("main form[method=post] button[type=submit]").first();
    if (await submit.count()) {
      await submit.click();
      await page.waitForLoadState("networkidle");
    }
    const byType: Record<string, number> = {};
    for (const s of sizes) byType[s.type] = (byType[s.type] ?? 0) + s.bytes;
    return { requests: sizes.length, bytes: sizes.reduce((a, s) => a + s.bytes, 0), byType, csp };
  } finally {
    await browser.close();
  }
}

/** Lighthouse's default (mobile) configuration, performance and accessibility only; the median of RUNS runs. */
async function audit(url: string) {
  const runs = [];
  // A run Lighthouse could not score (a timeout on a busy machine: no score at all) is run again, twice at most.
  for (let i = 0, failed = 0; i < RUNS; ) {
    const run = await auditOnce(url);
    if (run.scored || ++failed > 2) {
      runs.push(run);
      i++;
    }
  }
  runs.sort((a, b) => a.performance - b.performance);
  const median = runs[Math.floor(runs.length / 2)]!;
  return { ...median, performanceRuns: runs.map((r) => r.performance).sort((a, b) => a - b) };
}

async function auditOnce(url: string) {
  const chrome = await chromeLauncher.launch({ chromePath: CHROME, chromeFlags: CHROME_FLAGS });
  try {
    const result = await lighthouse(url, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance", "accessibility"] });
    const lhr = result!.lhr;
    const failed = Object.values(lhr.audits).filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary");
    if (failed.length) console.log(`${new URL(url).pathname}: audits not passed: ${failed.map((a) => a.id).join(", ")}`);
    const ms = (id: string) => Math.round(lhr.audits[id]?.numericValue ?? 0);
    if (lhr.runtimeError) console.log(`${new URL(url).pathname}: Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    return {
      scored: typeof lhr.categories.performance?.score === "number",
      performance: lhr.categories.performance?.score ?? 0,
      accessibility: lhr.categories.accessibility?.score ?? 0,
      fcpMs: ms("first-contentful-paint"),
      lcpMs: ms("largest-contentful-paint"),
      tbtMs: ms("total-blocking-time"),
      lighthouseBytes: ms("total-byte-weight"),
    };
  } finally {
    chrome.kill();
  }
}

/** The public pages saved in both languages, then the Nu checker once over all of them. */
async function checkHtml(base: string, work: string) {
  const out = path.join(work, "html");
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  for (const locale of ["fr", "en"]) {
    for (const p of PUBLIC_PAGES) {
      const res = await fetch(base + p, { headers: { cookie: `lang=${locale}` } });
      const file = path.join(out, `${locale}${p.replace(/\W+/g, "_")}.html`);
      writeFileSync(file, await res.text());
      files.push(file);
    }
  }
  if (!javaPresent()) return { pages: files.length, errors: null, report: "" };
  const errors = nuErrors(files);
  return { pages: files.length, errors: errors.length, report: formatNu(errors) };
}

function writeDocs(figures: PageFigures[], nu: { pages: number; errors: number | null }) {
  const docs = path.join(ROOT, "docs/benchmarks.md");
  const mark = (ok: boolean) => (ok ? "✅ pass" : "❌ fail");
  const rows = figures
    .map(
      (f) =>
        `| \`${f.path}\` | ${f.requests} | ${(f.bytes / 1024).toFixed(1)} KiB | ${f.performance.toFixed(2)} (runs: ${f.performanceRuns.map((p) => p.toFixed(2)).join(", ")}) | ${f.accessibility.toFixed(2)} | ${(f.fcpMs / 1000).toFixed(1)} s | ${(f.lcpMs / 1000).toFixed(1)} s | ${f.tbtMs} ms | ${f.csp.length} | ${mark(f.bytes <= BUDGET.kib * 1024 && f.performance >= BUDGET.performance && f.accessibility >= BUDGET.accessibility && !f.csp.length)} |`,
    )
    .join("\n");
  const section = `<!-- budget:start (written by npm run budget; edit scripts/page-budget.ts, not this section) -->
## Page weight, speed and validity — ${new Date().toISOString().slice(0, 10)}

Run by \`npm run -s budget\` (scripts/page-budget.ts) on the production build
(\`scripts/serve.ts\`, NODE_ENV and APP_ENV production, fresh database).
Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, Chromium at ${CHROME}.

| page | requests | transferred (compressed, all requests) | Lighthouse performance | accessibility | FCP | LCP | TBT | CSP violations | |
|---|---|---|---|---|---|---|---|---|---|
${rows}

Budgets: ≤ ${BUDGET.kib} KiB transferred, performance ≥ ${BUDGET.performance}, accessibility ${BUDGET.accessibility.toFixed(1)}, no CSP violation.
*Transferred*: what Chromium (Playwright) received for every request of a
first visit with an empty cache until the network is idle: response headers
plus the encoded body; then the page's form is sent empty (its checks run)
and any \`securitypolicyviolation\` is counted. *Lighthouse*: v12, default
mobile configuration (simulated slow 4G, 4× CPU slowdown), flags
\`${CHROME_FLAGS.join(" ")}\`; the median of ${RUNS} runs by performance
(the machine is shared with other work: a single run's score moves by up to
±0.2 on /demande, whose hydration is the longest task; a run Lighthouse
could not score is run again).

Nu HTML Checker (vnu.jar ${readVnuVersion()}, \`--errors-only\`): ${nu.pages} public pages in French and English, ${nu.errors === null ? "not run (no Java on this machine)" : `**${nu.errors} errors**`}. Every back-office page, in both languages, is checked by \`tests/html-validity.test.ts\`.
<!-- budget:end -->`;
  const current = readFileSync(docs, "utf8");
  const re = /<!-- budget:start[\s\S]*?<!-- budget:end -->/;
  writeFileSync(docs, re.test(current) ? current.replace(re, section) : current.replace("<!-- bench:users:start", `${section}\n\n<!-- bench:users:start`));
  console.log("updated docs/benchmarks.md");
}

function readVnuVersion() {
  return (JSON.parse(readFileSync(path.join(ROOT, "node_modules/vnu-jar/package.json"), "utf8")) as { version: string }).version;
}

