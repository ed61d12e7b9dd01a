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

/**
 * The stores side by side (docs/benchmarks.md): one row per figure, each
 * store's value with the reference measured on that store in the same run,
 * and their ratio. A figure no store takes part in (find) shows the same
 * measure in every column.
 */
export function headlineTableByStore<S extends string>(byStore: Partial<Record<S, HeadlineFigure[]>>, stores: S[], label: (s: S) => string = (s) => s) {
  const firstFigures = byStore[stores[0]!] ?? [];
  const cell = (f: HeadlineFigure | undefined) => (f ? `${amount(f.value, f.unit)} | ${amount(f.reference.value, f.unit)} | ${f.ratio}` : "— | — | —");
  const rows = firstFigures.map((f0) => `| ${f0.figure} | ${stores.map((s) => cell(byStore[s]?.find((f) => f.figure === f0.figure))).join(" | ")} | ${f0.better} |`);
  const references = firstFigures.map((f0) => {
    const methods = stores.map((s) => [s, byStore[s]?.find((f) => f.figure === f0.figure)?.reference.method] as const).filter(([, m]) => m);
    const same = new Set(methods.map(([, m]) => m)).size === 1;
    const text = same ? methods[0]![1]! : methods.map(([s, m]) => `${label(s)}: ${m}`).join("; ");
    return `- *${f0.figure}*: ${text.replaceAll("|", "\\|")}`;
  });
  const cols = stores.flatMap((s) => [label(s), "reference", "ratio"]);
  return [`| figure | ${cols.join(" | ")} | better when |`, `|---|${cols.map(() => "---").join("|")}|---|`, ...rows, "", "References (ratio = value ÷ reference, each on its own store):", "", ...references].join("\n");
}

/** The same figures on the console, one line each. */
export function printHeadline(figures: HeadlineFigure[], store?: string) {
  console.log(`\nheadline figures${store ? ` on ${store}` : ""} against their reference in this run (ratio = value ÷ reference):`);
  for (const f of figures) console.log(`  ${f.figure.padEnd(64)} ${amount(f.value, f.unit).padStart(12)}   reference ${amount(f.reference.value, f.unit).padStart(12)}   ratio ${f.ratio} (${f.better} is better)`);
}
