import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import * as crmHttp from "./crm-http";
import * as recordings from "./recordings";
import * as sqlSurvey from "./sql-survey";
import type { Connector } from "./types";

/**
 * connectors.config.json → connector instances. Each kind validates its own
 * entry; an error names its exact path (connectors[2].breaker.cooldownMs) and
 * stops start-up. Secrets are read from the environment by name, never from
 * the file.
 */
const KINDS = { [sqlSurvey.kind]: sqlSurvey, [recordings.kind]: recordings, [crmHttp.kind]: crmHttp } as const;
type Kind = keyof typeof KINDS;

export class ConnectorConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid connector configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConnectorConfigError";
  }
}

const Envelope = z.object({
  connectors: z.array(z.object({ id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/), kind: z.string(), label: z.string().min(1) }).passthrough()),
  /** Art. 19 contacts moved to the register's clients, mapped per record (issue 15): an old file says so rather than being half-read. */
  recipients: z.undefined({ error: "recipients moved to the register: each company's contact is a register client (/admin/registre/clients), and a record names its own recipient" }).optional(),
});

function pathOf(prefix: (string | number)[], issuePath: readonly PropertyKey[]) {
  return [...prefix, ...issuePath].reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
}

export type Registry = { list(): Connector[]; get(id: string): Connector | undefined; close(): Promise<void> };

export function parseConnectorsConfig(json: unknown, secret: (name: string) => string | undefined): Registry {
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) throw new ConnectorConfigError(envelope.error.issues.map((i) => `${pathOf([], i.path)}: ${i.message}`));
  const problems: string[] = [];
  const instances: Connector[] = [];
  const seen = new Set<string>();
  envelope.data.connectors.forEach((entry, i) => {
    if (seen.has(entry.id)) problems.push(`connectors[${i}].id: duplicate id "${entry.id}"`);
    seen.add(entry.id);
    const module = KINDS[entry.kind as Kind];
    if (!module) {
      problems.push(`connectors[${i}].kind: unknown kind "${entry.kind}" (expected ${Object.keys(KINDS).join(", ")})`);
      return;
    }
    const parsed = (module.ConfigSchema as z.ZodType).safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${pathOf(["connectors", i], issue.path)}: ${issue.message}`);
      return;
    }
    try {
      instances.push((module.create as (c: unknown, s: typeof secret) => Connector)(parsed.data, secret));
    } catch (error) {
      problems.push(`connectors[${i}]: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  if (problems.length) throw new ConnectorConfigError(problems);
  return {
    list: () => instances,
    get: (id) => instances.find((c) => c.id === id),
    close: async () => {
      await Promise.all(instances.map(async (c) => c.close?.()));
    },
  };
}

/** "{dataDir}" in any string of the file stands for DATA_DIR, so one file serves every data directory. */
function substitute(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === "string") return value.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)]));
  return value;
}

export function loadConnectorsConfig(file: string, secret: (name: string) => string | undefined, vars: Record<string, string> = {}): Registry {
  const resolved = path.resolve(file);
  if (!existsSync(resolved)) return parseConnectorsConfig({ connectors: [] }, secret);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(resolved, "utf8"));
  } catch (error) {
    throw new ConnectorConfigError([`${file}: not valid JSON (${error instanceof Error ? error.message : "parse error"})`]);
  }
  return parseConnectorsConfig(substitute(json, vars), secret);
}
