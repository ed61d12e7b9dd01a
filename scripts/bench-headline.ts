/**
 * The bench's headline figures, each with the reference measured in the same
 * run and their ratio (value ÷ reference): absolute figures move with the
 * runner (the same code gave 745 and 443 posts/s on two of them), the ratio
 * much less, so before/after comparisons across machines read the ratio.
 */

export type HeadlineFigure = {
  figure: string;
  unit: string;
  value: number;
  /** Which way is better for `value` (and so for `ratio`). */
  better: "higher" | "lower";
  reference: { method: string; value: number };
  ratio: number;
};

type Timed = { p50Ms: number; p95Ms: number };
export type HeadlineMeasures = {
  intake: { perSecond: number; reference: { method: string; perSecond: number }; ratio: number };
  pages: [label: string, Timed & { reference: Timed & { method: string }; ratioP95: number }][];
};
export type HeadlineAtScale = {
  find: { connectors: Timed; raw: Timed; ratioP50: number };
  archive: {
    archiveMiBps: number;
    reference: { method: string; MiBps: number };
    ratioToReference: number;
    rss: { peakMiB: number; reference: { method: string; MiB: number }; ratioToReference: number };
  };
};

/** The ratios are the ones the measures stored (from unrounded values), so that every table shows the same. */
export function headlineFigures(m: HeadlineMeasures, a: HeadlineAtScale): HeadlineFigure[] {
  return [
    { figure: "intake over HTTP (form posts/s, production build)", unit: "/s", better: "higher", value: m.intake.perSecond, reference: { method: m.intake.reference.method, value: m.intake.reference.perSecond }, ratio: m.intake.ratio },
    ...m.pages.map(([label, p]): HeadlineFigure => ({ figure: `queue page p95 over HTTP, ${label}`, unit: "ms", better: "lower", value: p.p95Ms, reference: { method: `p95 of ${p.reference.method}`, value: p.reference.p95Ms }, ratio: p.ratioP95 })),
    { figure: "find across the three connectors, p50", unit: "ms", better: "lower", value: a.find.connectors.p50Ms, reference: { method: "p50 of the same lookups as raw indexed queries and CRM fetches", value: a.find.raw.p50Ms }, ratio: a.find.ratioP50 },
    { figure: "archive build throughput", unit: "MiB/s", better: "higher", value: a.archive.archiveMiBps, reference: { method: a.archive.reference.method, value: a.archive.reference.MiBps }, ratio: a.archive.ratioToReference },
    { figure: "archive build peak RSS", unit: "MiB", better: "lower", value: a.archive.rss.peakMiB, reference: { method: a.archive.rss.reference.method, value: a.archive.rss.reference.MiB }, ratio: a.archive.rss.ratioToReference },
  ];
}

const amount = (x: number, unit: string) => `${x.toLocaleString("en-US")} ${unit}`;

/** The markdown table of docs/benchmarks.md. */
export function headlineTable(figures: HeadlineFigure[]) {
  const rows = figures.map((f) => `| ${f.figure} | ${amount(f.value, f.unit)} | ${amount(f.reference.value, f.unit)}: ${f.reference.method.replaceAll("|", "\\|")} | ${f.ratio} | ${f.better} |`);
  return ["| figure | value | reference, same run | ratio (value ÷ reference) | better when |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** The same figures on the console, one line each. */
export function printHeadline(figures: HeadlineFigure[]) {
  console.log("\nheadline figures against their reference in this run (ratio = value ÷ reference):");
  for (const f of figures) console.log(`  ${f.figure.padEnd(64)} ${amount(f.value, f.unit).padStart(12)}   reference ${amount(f.reference.value, f.unit).padStart(12)}   ratio ${f.ratio} (${f.better} is better)`);
}
