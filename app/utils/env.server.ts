import { createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The one place that reads process.env. Parsed once, on first use; a bad
 * configuration stops the process with a list of every problem at once.
 */
const bool = z
  .enum(["0", "1", "true", "false"])
  .transform((v) => v === "1" || v === "true");

const Schema = z
  .object({
    APP_ENV: z.enum(["development", "demo", "test", "production"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).optional(),
    BASE_URL: z.url({ error: "must be an absolute URL such as https://droits.centrecall.fr" }).optional(),
    DATA_DIR: z.string().min(1).default("var"),
    DATABASE_URL: z
      .string()
      .regex(/^(file:.+|postgres(ql)?:\/\/.+)/, {
        error: "must look like file:var/rightsdesk.sqlite (SQLite, the embedded default) or postgres://user@host:5432/rightsdesk",
      })
      .optional(),
    /** PostgreSQL only: connections per process (web and worker processes each have their own pool) */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    APP_SECRET: z.string().min(32, { error: "must be at least 32 characters (generate one with: openssl rand -base64 48)" }).optional(),
    /**
     * Where gathered files and archives rest (ADR 0021): "local" (files under
     * DATA_DIR) or "postgres" (chunked in the database, shared by every
     * machine). Default: postgres when DATABASE_URL is a PostgreSQL URL.
     */
    BLOB_STORE: z.enum(["local", "postgres"], { error: 'must be "local" (files under DATA_DIR) or "postgres" (in the PostgreSQL database of DATABASE_URL)' }).optional(),
    SMTP_URL: z.string().regex(/^smtps?:\/\//, { error: "must start with smtp:// or smtps://" }).optional(),
    MAIL_FROM: z.string().min(3).default("CentreCall — Protection des données <dpo@centrecall.example>"),
    SMS_GATEWAY_URL: z.url({ error: "must be an absolute http(s) URL" }).optional(),
    SMS_GATEWAY_TOKEN: z.string().min(1).optional(),
    CONTROLLER_NAME: z.string().min(1).default("CentreCall"),
    VERIFICATION_LINK_TTL_HOURS: z.coerce.number().positive().max(24 * 7).default(24),
    SMS_CODE_TTL_MINUTES: z.coerce.number().positive().max(60).default(10),
    SMS_CODE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(5),
    /**
     * After SMS_CODE_MAX_ATTEMPTS wrong codes, a new code can be asked for this
     * many minutes after the locked one was sent; it is also the window of the
     * per-request limit on new codes, so nobody is ever locked out for longer.
     */
    SMS_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(60).default(15),
    STATUS_LINK_TTL_DAYS: z.coerce.number().positive().max(90).default(30),
    UNVERIFIED_EXPIRY_DAYS: z.coerce.number().int().min(1).max(90).default(14),
    /** a request still unconfirmed this long after filing gets one reminder (before it lapses at UNVERIFIED_EXPIRY_DAYS) */
    VERIFICATION_REMINDER_HOURS: z.coerce.number().int().min(1).max(24 * 89).default(48),
    /** a question to the requester unanswered this long closes the request (a reminder goes at 15 days) */
    INFO_REQUEST_CLOSE_DAYS: z.coerce.number().int().min(16).max(180).default(30),
    /** a request forwarded to the controller (data held as its processor) without instructions this long is reminded, then again every as many days, at most 3 times */
    CONTROLLER_REMINDER_DAYS: z.coerce.number().int().min(1).max(30).default(7),
    /** how long a sender holds a message it is sending: longer than any send (the SMTP timeouts are 10 + 10 + 20 s) */
    OUTBOX_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
    /** a gather or erasure worker's lease on its job, renewed every third of it while it runs */
    JOB_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    MANDATE_MAX_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(5 * 1024 * 1024),
    /** largest request body of any kind (forms, JSON, single-fetch data), counted as it arrives; the request form's multipart upload may add 4 × MANDATE_MAX_BYTES */
    BODY_MAX_BYTES: z.coerce.number().int().min(16 * 1024).max(50 * 1024 * 1024).default(1024 * 1024),
    RATE_LIMIT_FILING_PER_HOUR: z.coerce.number().int().min(1).default(20),
    RATE_LIMIT_VERIFY_PER_HOUR: z.coerce.number().int().min(1).default(30),
    TRUST_PROXY: bool.default(false),
    REQUIRE_2FA: bool.default(false),
    STAFF_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
    STAFF_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(72).default(12),
    /**
     * Whether `npm start` also runs the background workers (outbox, gathers,
     * erasures, sweeps, retention, the daily digest). On by default, so that
     * one process is a whole installation; web processes beside `npm run worker`
     * processes set WORKERS=0. `npm run worker` ignores it.
     */
    WORKERS: bool.default(true),
    /** the daily deadline digest goes at the workers' first sweep from this hour (Europe/Paris) on */
    REMINDERS_HOUR: z.coerce.number().int().min(0).max(23).default(7),
    /** bearer token that unlocks /readyz's details (connectors, job counts) from outside this machine */
    HEALTH_TOKEN: z.string().min(32, { error: "must be at least 32 characters (generate one with: openssl rand -base64 48)" }).optional(),
    /** /readyz says "degraded" once the oldest email waiting to be sent is older than this */
    READY_EMAIL_BACKLOG_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(900),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    CONNECTORS_CONFIG: z.string().min(1).default("connectors.config.json"),
    /** who runs the portal: the facts of the legal notices, the privacy notice, the register and every footer (app/utils/organisation.server.ts) */
    ORGANISATION_CONFIG: z.string().min(1).default("organisation.config.json"),
    ARCHIVE_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(30).default(7),
    GATHER_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    /** an unverified request's identity is deleted this many days after it expired (docs/retention.md) */
    UNVERIFIED_PURGE_GRACE_DAYS: z.coerce.number().int().min(0).max(365).default(30),
    /** a closed request's identity and contents are purged this many days after closing; unset, the register's duration for OP-07 (rightsdesk:requests), else 1826 */
    TICKET_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
    /** Port of the demo CRM that `npm run demo` starts ({demoCrmPort} in connectors.config.json) */
    DEMO_CRM_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
    /** Fault injection for the crash tests: the named point kills the process (ignored in production). */
    FAULT_INJECT: z.string().min(1).optional(),
    /**
     * Art. 21 suppression list: the HMAC key of its hashes, a secret of its own
     * so that rotating APP_SECRET never orphans the list (the hashes cannot be
     * recomputed without the numbers, which are not kept). Outside production
     * a stable key is derived from APP_SECRET (app/services/suppression.server.ts).
     */
    SUPPRESSION_HASH_KEY: z.string().min(32, { error: "must be at least 32 characters (generate one with: openssl rand -base64 48)" }).optional(),
    /** bearer token of the dialling campaigns' API (/api/suppression/*) */
    SUPPRESSION_API_TOKEN: z.string().min(32, { error: "must be at least 32 characters (generate one with: openssl rand -base64 48)" }).optional(),
    /**
     * Whether /api/suppression/* is served. Default: on in production (a
     * dialler that cannot check the list must not run silently), elsewhere on
     * only when a token is set. On without a token stops start-up.
     */
    SUPPRESSION_API: z.enum(["on", "off"], { error: 'must be "on" or "off"' }).optional(),
    /** Art. 18(3): days between the notice to the person and the lifting of their restriction */
    RESTRICTION_LIFT_NOTICE_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  });

/** Checked beside the schema, so one run reports these together with type errors. */
const REQUIRED_IN_PRODUCTION = ["APP_SECRET", "SMTP_URL", "SMS_GATEWAY_URL", "BASE_URL", "SUPPRESSION_HASH_KEY"] as const;

export type Env = Omit<z.infer<typeof Schema>, "APP_SECRET" | "DATABASE_URL" | "BASE_URL" | "SUPPRESSION_API" | "BLOB_STORE"> & {
  /** where files rest (BLOB_STORE, or its default) */
  BLOB_STORE: "local" | "postgres";
  /** the suppression API is served (SUPPRESSION_API, or its default) */
  SUPPRESSION_API: "on" | "off";
  APP_SECRET: string;
  DATABASE_URL: string;
  BASE_URL: string;
  /** the dev outbox page and the dev mail/SMS transports are allowed */
  devTools: boolean;
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "unset": docker-compose and shells often export KEY=.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = Schema.safeParse(cleaned);
  const problems = result.success ? [] : result.error.issues.map((i) => `${i.path.join(".") || "(env)"} ${i.message}`);
  if (cleaned.APP_ENV === "production") {
    for (const key of REQUIRED_IN_PRODUCTION) if (!cleaned[key]) problems.push(`${key} is required when APP_ENV=production`);
    if (cleaned.SUPPRESSION_HASH_KEY && cleaned.SUPPRESSION_HASH_KEY === cleaned.APP_SECRET) problems.push("SUPPRESSION_HASH_KEY must be a secret of its own, not APP_SECRET");
  }
  const suppressionApi = cleaned.SUPPRESSION_API ?? (cleaned.APP_ENV === "production" || cleaned.SUPPRESSION_API_TOKEN ? "on" : "off");
  // Unset token with the API on used to turn the API off without a word: diallers then could not check the list.
  if (suppressionApi === "on" && !cleaned.SUPPRESSION_API_TOKEN)
    problems.push(
      `SUPPRESSION_API_TOKEN is required while the suppression API is on (${cleaned.SUPPRESSION_API ? "SUPPRESSION_API=on" : "the default when APP_ENV=production"}); set it, or set SUPPRESSION_API=off if no dialler checks the list through the API`,
    );
  const onPostgres = /^postgres(ql)?:\/\//.test(cleaned.DATABASE_URL ?? "");
  const blobStore = cleaned.BLOB_STORE ?? (onPostgres ? "postgres" : "local");
  if (blobStore === "postgres" && !onPostgres) problems.push("BLOB_STORE=postgres keeps files in the PostgreSQL database: it needs DATABASE_URL=postgres://…; use BLOB_STORE=local with SQLite");
  if (result.success && result.data.VERIFICATION_REMINDER_HOURS >= result.data.UNVERIFIED_EXPIRY_DAYS * 24)
    problems.push("VERIFICATION_REMINDER_HOURS must be shorter than UNVERIFIED_EXPIRY_DAYS (the reminder comes before the request lapses)");
  if (!result.success || problems.length) throw new ConfigError(problems);
  const env = result.data;
  const dataDir = path.resolve(env.DATA_DIR);
  const appSecret = env.APP_SECRET ?? demoSecret(env.APP_ENV, dataDir);
  return {
    ...env,
    DATA_DIR: dataDir,
    APP_SECRET: appSecret,
    DATABASE_URL: env.DATABASE_URL ?? `file:${path.join(dataDir, "rightsdesk.sqlite")}`,
    BASE_URL: (env.BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ""),
    SUPPRESSION_API: suppressionApi === "on" ? "on" : "off",
    BLOB_STORE: blobStore === "postgres" ? "postgres" : "local",
    devTools: env.APP_ENV !== "production",
  };
}

/**
 * Outside production a missing APP_SECRET is generated once and kept under
 * the data directory, so that links in already-sent demo emails stay valid
 * across restarts. Tests must pass one explicitly.
 */
function demoSecret(appEnv: string, dataDir: string): string {
  if (appEnv === "test") throw new ConfigError(["APP_SECRET is required when APP_ENV=test"]);
  const file = path.join(dataDir, "app-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * Connector secrets (database URLs with passwords, API tokens) are named in
 * connectors.config.json and read here, the one module that reads the
 * environment.
 */
export function secretFromEnv(name: string): string | undefined {
  if (!/^[A-Z][A-Z0-9_]{1,63}$/.test(name)) return undefined;
  const value = process.env[name];
  if (value) return value;
  return DEMO_SECRETS.has(name) ? demoConnectorSecret(name) : undefined;
}

/**
 * The demo's own connector secrets (its CRM's token, the survey's masking
 * key), outside production only: derived from APP_SECRET rather than drawn
 * at random, so that `npm run -s cli -- …` in another terminal uses the same
 * ones as the running `npm run demo`. Production sets real ones.
 */
const DEMO_SECRETS = new Set(["DEMO_CRM_TOKEN", "SURVEY_HASH_KEY"]);
export function demoConnectorSecret(name: string): string | undefined {
  const e = env();
  if (e.APP_ENV === "production") return undefined;
  return createHmac("sha256", e.APP_SECRET).update(`demo-secret:${name}`).digest("base64url");
}

let cached: Env | undefined;

export function env(): Env {
  if (!cached) cached = parseEnv(process.env);
  return cached;
}

/**
 * The organisation file's path, read on its own: the email templates name the
 * DPO from it, and a template must render (in a test, in a script) without
 * the whole environment being valid.
 */
export function organisationConfigFile(): string {
  return process.env.ORGANISATION_CONFIG || "organisation.config.json";
}

/** Tests and scripts that change process.env after start-up call this. */
export function resetEnvForTests() {
  cached = undefined;
}
