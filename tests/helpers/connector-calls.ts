import type { z } from "zod";
import type { Anomaly, ErasurePlan, ExportFile, ExportRecord, ExportSink, Match } from "../../app/connectors/types";

/**
 * What a connector's caller hands it, for the connector tests: a sink that
 * keeps what it is given, an abort signal, a plan, and a configuration
 * entry's problems as the operator reads them.
 */

export type Collected = { records: ExportRecord[]; files: (ExportFile & { bytes: Buffer })[]; anomalies: Anomaly[] };

/**
 * A sink that keeps every record and anomaly, and drains every file as the
 * gather store would, keeping the bytes. `noFiles`: the connector exports
 * none, and a file fails the export with this message.
 */
export function collectingSink(opts: { noFiles?: string } = {}): Collected & { sink: ExportSink } {
  const c: Collected = { records: [], files: [], anomalies: [] };
  const sink: ExportSink = {
    async record(r) {
      c.records.push(r);
    },
    async anomaly(a) {
      c.anomalies.push(a);
    },
    async file(f) {
      if (opts.noFiles) throw new Error(opts.noFiles);
      const chunks: Buffer[] = [];
      for await (const chunk of f.open()) chunks.push(chunk as Buffer);
      c.files.push({ ...f, bytes: Buffer.concat(chunks) });
    },
  };
  return { sink, ...c };
}

/** A signal nothing aborts. */
export const signal = () => new AbortController().signal;

/** Deletes every match. */
export const deletePlan = (ms: Match[]): ErasurePlan => ({ steps: ms.map((match) => ({ match, action: { kind: "delete" } })) });

/**
 * What `schema` finds wrong with `entry`, one "path: message" each ([] when
 * valid); `under` is where the entry sits in the connectors file, so that
 * paths read as the operator's file has them (connectors[0].url).
 */
export function configProblems(schema: z.ZodType, entry: unknown, under: (string | number)[] = []): string[] {
  const parsed = schema.safeParse(entry);
  if (parsed.success) return [];
  return parsed.error.issues.map(
    (i) => `${[...under, ...i.path].reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "")}: ${i.message}`,
  );
}
