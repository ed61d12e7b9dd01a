/**
 * Operator command line: `npm run -s cli -- <command>`.
 * Commands grow with the back office; each prints plain lines and exits
 * non-zero on failure: 1 when the operation failed, 2 when the command line
 * itself is wrong.
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { ROLES, SITES } from "../db/schema/enums";
import { DomainError } from "../app/services/errors";
import { deliverDue, pendingCount } from "../app/services/outbox.server";
import { sendReminders } from "../app/services/reminders.server";
import { expireUnverified, remindUnverified } from "../app/services/requests.server";
import { createStaff, NewStaff } from "../app/services/staff.server";
import { closeDb, db } from "../app/utils/db.server";
import { UnmigratedDatabase } from "../app/utils/store-postgres.server";
import { ConfigError } from "../app/utils/env.server";

const USAGE = `usage: npm run -s cli -- <command>

commands:
  db migrate        apply the database's migrations (DATABASE_URL: SQLite
                    file or postgres://…; creates a missing PostgreSQL
                    database). Safe from several processes at once: they
                    are applied once. Production processes refuse to start
                    on a PostgreSQL database that needs this
  db copy --from <file:…sqlite> --to <postgres://…/database>
                    move an installation to PostgreSQL: creates and
                    migrates the target, copies every table in one
                    transaction (refused unless the target is empty), then
                    prints one line per check (rows per table, the request
                    counts, the audit chain's head against the source's);
                    exit 0 only if every check passes. Stop the web and
                    worker processes first (docs/operations.md)
  outbox status     how many messages are waiting to be sent
  outbox flush      try to send every due message now
  expire            remind once the filers of web requests still unconfirmed
                    after VERIFICATION_REMINDER_HOURS, mark requests
                    unverified for too long as expired (telling the filer); remind
                    requesters of a question unanswered for 15 days, and close
                    the requests whose question stayed unanswered for
                    INFO_REQUEST_CLOSE_DAYS; lift the restrictions whose
                    notice period (RESTRICTION_LIFT_NOTICE_DAYS) has ended;
                    remind the clients whose instructions on data we hold as
                    their processor are awaited for CONTROLLER_REMINDER_DAYS
                    (the server's worker does all this too)
  retention run [--dry-run]
                    the retention job the server's workers run once a day:
                    deletes recordings older than the register's duration
                    (unless held for a dispute), the identity of requests
                    never verified (UNVERIFIED_PURGE_GRACE_DAYS after they
                    expired) and of closed requests (TICKET_RETENTION_DAYS,
                    by default OP-07's duration); prints counts per category,
                    never values. --dry-run deletes nothing and prints what a
                    run would purge. If another process is running it:
                    "already running" (exit 1)
  reminders [--force]
                    email each assignee (and the DPO) the open requests due
                    within 7 days or overdue; once a day unless --force
  gather <reference>
                    search every configured connector for the request's
                    verified person, now; prints one line per connector:
                    found (counts, identifiers used and their origin),
                    nothing, not_searched (the identifier it needs) or
                    failed (why); exit 1 unless every one searched
  export <reference> --kind <access|portability> --out <file.zip>
                    build the archive the back office would release, to a
                    file (needs a finished gather); prints size and SHA-256.
                    For a person held nowhere the archive holds the no-data
                    letter (systems searched, identifiers, date)
  erase <reference> --plan [--prepared-by <staff email>]
                    print the request's erasure plan as JSON; with
                    --prepared-by, prepare a new plan as that DPO or support
                    member first (the back office's "Prepare" button)
  erase <reference> --execute --approved-by <staff email>
                    approve the plan as that DPO (refused if they prepared
                    it or are not a DPO) and run it to the end now:
                    erase, search again, certify; exit 0 once verified
  audit verify [--anchor <seq>:<hash>]
                    walk the audit chain; prints "ok <n> entries" and the
                    head (last seq and hash, to keep elsewhere as an anchor),
                    or "broken at <seq>" and why (exit 1). With --anchor, also
                    fails when that entry is gone or differs (a truncated tail).
                    A "format 1:" line counts entries written before the hash
                    covered the stored bytes (docs/audit.md)
  audit export --out <file.csv> [--from YYYY-MM-DD] [--to YYYY-MM-DD]
               [--reference R] [--action A|group.*] [--actor staff|requester|system|staff:<id>]
               [--lang fr|en]
                    the journal (or the filtered part) as CSV, oldest first;
                    the export is itself recorded in the journal
  staff create --email <email> --role <${ROLES.join("|")}> --site <${SITES.join("|")}> [--name "Display Name"]
                    create a staff account; prints its one-time password,
                    to be changed at first sign-in
  suppression check <phone>
                    whether a number is on the Art. 21 suppression list (any
                    usual format; French numbers without +33 too): prints
                    "suppressed" or "not suppressed", exit 0 either way. A
                    dialler should dial only on exactly "not suppressed"
  suppression export [--out <file.csv>]
                    the suppression list as CSV (kind,hash,added_at): keyed
                    hashes only, to stdout or to a file`;

/** A wrong command line: exit 2 with the reason and the usage. */
class UsageError extends Error {}

/**
 * A word of the command line, fit to repeat in an error message: plain words
 * and option names only. Anything with an @ or several digits may be a
 * person's email or phone number, and error output ends up in logs.
 */
function shown(arg: unknown): string {
  const s = String(arg);
  return /^-{0,2}[A-Za-z][\w.:-]{0,40}$/.test(s) && (s.match(/\d/g)?.length ?? 0) < 6 ? s : "…";
}

const system = () => ({ db: db(), now: new Date(), actor: { kind: "system" as const } });

function flags(args: string[], options: Record<string, { type: "string" | "boolean" }>) {
  try {
    const values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
    // A NUL byte is never meant (and fs refuses it in a path with a TypeError).
    if (Object.values(values).some((v) => typeof v === "string" && v.includes("\0"))) throw new UsageError("option values cannot contain a NUL byte");
    return values;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // node:util's messages quote the offending argument; say which kind of mistake, not what was typed.
    const code = (error as { code?: string }).code;
    const quoted = error instanceof Error ? /'([^']*)'/.exec(error.message)?.[1] : undefined;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown option ${shown(quoted)}`);
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw new UsageError(`unexpected argument ${shown(quoted)}`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw new UsageError(`option ${shown(quoted?.split(" ")[0])} needs a value, or takes none`);
    throw new UsageError("invalid options");
  }
}

async function staffCreate(args: string[]): Promise<number> {
  const v = flags(args, { email: { type: "string" }, role: { type: "string" }, site: { type: "string" }, name: { type: "string" } });
  const missing = ["email", "role", "site"].filter((k) => typeof v[k] !== "string" || v[k] === "");
  if (missing.length) throw new UsageError(`missing ${missing.map((k) => `--${k}`).join(", ")}`);
  const email = String(v.email);
  const parsed = NewStaff.safeParse({ email, role: v.role, site: v.site, displayName: v.name ?? email.split("@")[0] });
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "input")))];
    const words: Record<string, string> = {
      email: "--email must be an email address",
      role: `--role must be one of ${ROLES.join(", ")}`,
      site: `--site must be one of ${SITES.join(", ")}`,
      displayName: "--name must be 1 to 100 characters",
    };
    throw new UsageError(fields.map((f) => words[f] ?? `invalid ${f}`).join("; "));
  }
  try {
    const { staff, oneTimePassword } = await createStaff({ ctx: system(), input: parsed.data });
    console.log(`created staff #${staff.id} (${staff.role}, ${staff.site})`);
    console.log(`one-time password: ${oneTimePassword}`);
    return 0;
  } catch (error) {
    if (error instanceof DomainError && error.code === "conflict") {
      console.error("cli: an account with this email already exists");
      return 1;
    }
    throw error;
  }
}

async function gatherCommand(reference: string): Promise<number> {
  const { connectors } = await import("../app/utils/connectors.server");
  const { gatherStatus, runNextJob, startGather } = await import("../app/services/gather.server");
  const { findByReference } = await import("../app/services/requests.server");
  const registry = connectors();
  await startGather({ ctx: system(), reference, registry });
  const requestId = (await findByReference(db(), reference))!.id;
  // Run the queue here rather than wait for a server's worker loop.
  while (await runNextJob({ db: db(), registry }));
  let rows = await gatherStatus(db(), requestId, registry);
  // Beside a running server (`npm run demo`), its worker may have taken some of these jobs: wait for them to end
  // (it holds each under a lease; one whose lease lapses is queued again and taken here) rather than answer "running".
  const { env } = await import("../app/utils/env.server");
  const until = Date.now() + 3 * env().JOB_LEASE_SECONDS * 1000;
  while (rows.some((g) => g.status === "queued" || g.status === "running") && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    while (await runNextJob({ db: db(), registry }));
    rows = (await gatherStatus(db(), requestId, registry));
  }
  // One of four answers per system: found N, nothing, not searched (and which identifier was missing), failed.
  const used = (g: (typeof rows)[number]) => g.identifiers.map((i) => `${i.kind}(${i.origin})`).join(",");
  for (const g of rows) {
    const line =
      g.outcome === "found"
        ? `found records=${g.records ?? 0} files=${g.files ?? 0} anomalies=${g.anomalies ?? 0} searched-with=${used(g)}`
        : g.outcome === "nothing"
          ? `nothing searched-with=${used(g)}`
          : g.outcome === "not_searched"
            ? `not_searched missing=${g.missing.join(",")}`
            : g.outcome === "failed"
              ? `failed error=${JSON.stringify(g.error ?? "")}`
              : g.status;
    console.log(`${g.connectorId} ${line}`);
  }
  await registry.close();
  return rows.every((g) => g.outcome === "found" || g.outcome === "nothing") ? 0 : 1;
}

async function exportCommand(reference: string, rest: string[]): Promise<number> {
  const f = flags(rest, { kind: { type: "string" }, out: { type: "string" } });
  if (f.kind !== "access" && f.kind !== "portability") throw new UsageError("export needs --kind access or --kind portability");
  if (typeof f.out !== "string" || !f.out.endsWith(".zip")) throw new UsageError("export needs --out <file.zip>");
  const { buildArchive } = await import("../app/services/archive.server");
  const { requireArchiveRight } = await import("../app/services/delivery.server");
  const { findByReference } = await import("../app/services/requests.server");
  const { connectors } = await import("../app/utils/connectors.server");
  const r = await findByReference(db(), reference);
  if (!r) throw new DomainError("not_found");
  // The same rule as the back office: an archive only for the right the request asks for.
  requireArchiveRight(r, f.kind);
  const built = await buildArchive({ db: db(), requestId: r.id, kind: f.kind, out: f.out, now: new Date(), registry: connectors(), hashZip: true });
  console.log(`${built.path} ${built.bytes} bytes ${built.files} entries sha256=${built.sha256}`);
  await connectors().close();
  return 0;
}

async function eraseCommand(reference: string, rest: string[]): Promise<number> {
  const f = flags(rest, { plan: { type: "boolean" }, execute: { type: "boolean" }, "prepared-by": { type: "string" }, "approved-by": { type: "string" } });
  if (!f.plan === !f.execute) throw new UsageError("erase needs --plan or --execute");
  const { connectors } = await import("../app/utils/connectors.server");
  const { staffByEmail, toActor } = await import("../app/services/staff.server");
  const erasure = await import("../app/services/erasure.server");
  const registry = connectors();
  const as = async (flag: "prepared-by" | "approved-by") => {
    const email = f[flag];
    if (typeof email !== "string" || !email) throw new UsageError(`--${flag} needs a staff email`);
    const row = await staffByEmail(db(), email);
    if (!row) throw new DomainError("forbidden", { code: "no_such_staff" });
    return { db: db(), now: new Date(), actor: toActor(row) };
  };
  try {
    if (f.plan) {
      if (f["prepared-by"] !== undefined) await erasure.planErasure({ ctx: await as("prepared-by"), reference, registry });
      console.log(JSON.stringify(await erasure.planJson(db(), reference), null, 2));
      return 0;
    }
    const ctx = await as("approved-by");
    const current = await erasure.planJson(db(), reference);
    if (current.status === "planned") {
      try {
        await erasure.approveErasure({ ctx, reference });
      } catch (error) {
        // Approved meanwhile by the same DPO in another process: run it (the claim below decides who does).
        const now = await erasure.planJson(db(), reference);
        if (!(error instanceof DomainError && error.detail.code === "no_plan_to_approve" && now.status !== "planned")) throw error;
        if (now.approvedBy !== (ctx.actor.kind === "staff" ? ctx.actor.id : null)) throw new DomainError("forbidden", { code: "not_the_approver" });
      }
    }
    else if (["approved", "executing", "executed", "verified"].includes(current.status) && current.approvedBy !== (ctx.actor.kind === "staff" ? ctx.actor.id : null))
      throw new DomainError("forbidden", { code: "not_the_approver" });
    const done = await erasure.executeNow({ db: db(), registry, reference });
    console.log(`erasure ${done.status}${done.certificateSha256 ? ` certificate sha256=${done.certificateSha256}` : ""}`);
    return done.status === "verified" ? 0 : 1;
  } finally {
    await registry.close();
  }
}

// --- suppression list (Art. 21) -------------------------------------------
async function suppressionCommand(verb: string | undefined, rest: string[]): Promise<number> {
  const { checkPhones, exportHashes, normaliseIdentifier } = await import("../app/services/suppression.server");
  if (verb === "check") {
    // The number is not echoed back: it may be a person's.
    if (rest.length !== 1 || !normaliseIdentifier("phone", rest[0]!)) throw new UsageError("suppression check needs one phone number, e.g. +33612345678 or \"06 12 34 56 78\"");
    const [suppressed] = await checkPhones({ ctx: system(), phones: [rest[0]!], via: "cli" });
    console.log(suppressed ? "suppressed" : "not suppressed");
    return 0;
  }
  if (verb === "export") {
    const f = flags(rest, { out: { type: "string" } });
    if (f.out !== undefined && (typeof f.out !== "string" || !f.out.endsWith(".csv"))) throw new UsageError("suppression export takes --out <file.csv>");
    const { csv, count } = await exportHashes({ ctx: system(), via: "cli" });
    if (typeof f.out !== "string") {
      process.stdout.write(csv);
      return 0;
    }
    const { writeFileSync } = await import("node:fs");
    writeFileSync(f.out, csv, { mode: 0o600 });
    console.log(`${f.out} ${count} hashes`);
    return 0;
  }
  throw new UsageError("suppression needs check <phone> or export [--out <file.csv>]");
}
// ---------------------------------------------------------------------------
// ---- audit: verify the chain, export the journal ----

const BREAK_REASONS: Record<string, (seq: number, count: number, anchor?: { seq: number }) => string> = {
  missing: (seq) => `entry ${seq} is missing: the chain jumps over it (deleted row)`,
  unexpected: (seq) => `an entry numbered ${seq} cannot exist: numbering starts at 1 (inserted row)`,
  unlinked: (seq) => `entry ${seq} does not carry the hash of entry ${seq - 1} (row moved, swapped or inserted)`,
  altered: (seq) => `entry ${seq} does not match its HMAC (row edited, or APP_SECRET is not the one that wrote the log)`,
  anchor: (seq) => `entry ${seq} has another hash than the anchor (log rewritten)`,
  truncated: (_seq, count, anchor) => `the log ends at entry ${count} but the anchor names entry ${anchor?.seq} (entries removed from the end)`,
};

async function auditCommand(verb: string | undefined, rest: string[]): Promise<number> {
  const { verifyChain } = await import("../app/services/audit.server");
  if (verb === "verify") {
    const f = flags(rest, { anchor: { type: "string" } });
    let anchor: { seq: number; hash: string } | undefined;
    if (f.anchor !== undefined) {
      const m = /^([1-9]\d*):([A-Za-z0-9_-]{43})$/.exec(String(f.anchor));
      if (!m) throw new UsageError("--anchor must be <seq>:<hash>, as printed by audit verify");
      anchor = { seq: Number(m[1]), hash: m[2]! };
    }
    const check = await verifyChain(db(), { anchor });
    if (check.ok) {
      console.log(`ok ${check.count} entries`);
      if (check.head) console.log(`head ${check.head.seq}:${check.head.hash}`);
      // Rows written before byte-exact hashing: checked, but the order of their details' keys was never signed (docs/audit.md).
      if (check.formatV1) console.log(`format 1: ${check.formatV1} entries written before byte-exact hashing (the order of their details' keys is not covered)`);
      return 0;
    }
    console.log(`broken at ${check.brokenAt}`);
    console.log(BREAK_REASONS[check.reason]!(check.brokenAt, check.count, anchor));
    return 1;
  }
  if (verb === "export") {
    const f = flags(rest, {
      out: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      reference: { type: "string" },
      action: { type: "string" },
      actor: { type: "string" },
      lang: { type: "string" },
    });
    if (typeof f.out !== "string" || !f.out.endsWith(".csv")) throw new UsageError("audit export needs --out <file.csv>");
    if (f.lang !== undefined && f.lang !== "fr" && f.lang !== "en") throw new UsageError("--lang must be fr or en");
    const { exportJournal, parseJournalFilters } = await import("../app/services/journal.server");
    const params = new URLSearchParams();
    for (const k of ["from", "to", "reference", "action", "actor"]) if (typeof f[k] === "string") params.set(k, f[k] as string);
    const { filters, invalid } = parseJournalFilters(params);
    if (invalid.length) throw new UsageError(invalid.map((k) => (k === "reference" ? "--reference must be a request reference" : `--${k} must be a date YYYY-MM-DD${k === "to" ? " not before --from" : ""}`)).join("; "));
    for (const k of ["action", "actor"] as const) if (typeof f[k] === "string" && filters[k] !== f[k]) throw new UsageError(`unknown --${k} "${shown(f[k])}"`);
    const { openSync, writeSync, closeSync } = await import("node:fs");
    const exported = await exportJournal({ ctx: system(), filters, locale: (f.lang as "fr" | "en" | undefined) ?? "fr" });
    const fd = openSync(f.out, "w");
    try {
      let chunk: string[] = [];
      for await (const line of exported.lines()) {
        chunk.push(line);
        if (chunk.length >= 1_000) {
          writeSync(fd, chunk.join(""));
          chunk = [];
        }
      }
      if (chunk.length) writeSync(fd, chunk.join(""));
    } finally {
      closeSync(fd);
    }
    console.log(`${f.out} ${exported.rows} entries (up to entry ${exported.upTo})`);
    return 0;
  }
  throw new UsageError(`unknown command "audit${verb === undefined ? "" : ` ${shown(verb)}`}": use audit verify or audit export`);
}

async function main(args: string[]): Promise<number> {
  const [group, verb, ...rest] = args;
  if (group === "suppression") return suppressionCommand(verb, rest);
  if (group === "erase") {
    if (!verb || !/^DSR-\d{4}-\d{6}$/.test(verb)) throw new UsageError("erase needs a reference, e.g. DSR-2026-000123");
    return eraseCommand(verb, rest);
  }
  if (group === "export") {
    if (!verb || !/^DSR-\d{4}-\d{6}$/.test(verb)) throw new UsageError("export needs a reference, e.g. DSR-2026-000123");
    return exportCommand(verb, rest);
  }
  if (group === "gather") {
    if (!verb || rest.length || !/^DSR-\d{4}-\d{6}$/.test(verb)) throw new UsageError("gather needs one reference, e.g. DSR-2026-000123");
    return gatherCommand(verb);
  }
  if (group === "outbox" && verb === "status" && !rest.length) {
    console.log(`pending ${(await pendingCount(db()))}`);
    return 0;
  }
  if (group === "outbox" && verb === "flush" && !rest.length) {
    const r = await deliverDue({ db: db() });
    console.log(`sent ${r.sent} failed ${r.failed}`);
    return r.failed ? 1 : 0;
  }
  if (group === "expire" && !verb) {
    // The housekeeping the server's worker runs every 10 minutes, once, now; safe beside it (each row is acted on once).
    const confirmReminders = await remindUnverified({ ctx: system() });
    const n = await expireUnverified({ ctx: system() });
    const { sweepInfoRequests } = await import("../app/services/tickets.server");
    const { purgeExpiredArchives } = await import("../app/services/delivery.server");
    const { purgeAfterRetention } = await import("../app/services/gather-store.server");
    const { sweepReferralReminders } = await import("../app/services/referrals.server");
    const q = await sweepInfoRequests({ ctx: system() });
    const controllers = await sweepReferralReminders({ ctx: system() });
    const archives = await purgeExpiredArchives(db(), new Date());
    const gathered = await purgeAfterRetention(db(), new Date());
    console.log(`expired ${n}`);
    console.log(`confirmation reminders ${confirmReminders}`);
    console.log(`reminded ${q.reminded} closed ${q.closed}`);
    console.log(`controllers reminded ${controllers}`);
    console.log(`archives purged ${archives} gathered purged ${gathered}`);
    // Art. 18(3): restrictions whose notice period has ended; claimed one by one, so beside the worker each is lifted once.
    const { connectors } = await import("../app/utils/connectors.server");
    const { runDueLifts } = await import("../app/services/restriction.server");
    const registry = connectors();
    const lifts = await runDueLifts({ db: db(), registry, limit: 1000 });
    await registry.close();
    console.log(`restriction lifts run ${lifts}`);
    return 0;
  }
  if (group === "retention") {
    if (verb !== "run") throw new UsageError("retention needs run [--dry-run]");
    const v = flags(rest, { "dry-run": { type: "boolean" } });
    const { connectors } = await import("../app/utils/connectors.server");
    const { reportLines, runRetention } = await import("../app/services/retention.server");
    const registry = connectors();
    try {
      const report = await runRetention({ db: db(), registry, dryRun: v["dry-run"] === true, trigger: "cli" });
      for (const line of reportLines(report)) console.log(line);
      return report.recordings.some((r) => r.failed !== 0) ? 1 : 0;
    } finally {
      await registry.close();
    }
  }
  if (group === "reminders") {
    const v = flags(args.slice(1), { force: { type: "boolean" } });
    const r = await sendReminders({ ctx: system(), force: v.force === true });
    if (r.alreadySent) console.log("reminders were already sent today (use --force to send again)");
    console.log(`sent ${r.emails} emails about ${r.tickets} tickets`);
    return 0;
  }
  if (group === "staff" && verb === "create") return staffCreate(rest);
  if (group === "db") return dbCommand(verb, rest);
  if (group === "audit") return auditCommand(verb, rest);
  if (group === "--help" || group === "-h" || !group) {
    console.log(USAGE);
    return group ? 0 : 2;
  }
  throw new UsageError(`unknown command "${args.map(shown).join(" ")}"`);
}

async function dbCommand(verb: string | undefined, rest: string[]): Promise<number> {
  if (verb === "migrate" && !rest.length) {
    const { env } = await import("../app/utils/env.server");
    const { isPostgresUrl, migratePostgres } = await import("../app/utils/store-postgres.server");
    const url = env().DATABASE_URL;
    if (isPostgresUrl(url)) {
      const { applied } = await migratePostgres(url);
      console.log(`PostgreSQL: ${applied} migration(s) applied, up to date`);
    } else {
      const { openDatabase } = await import("../app/utils/db.server");
      openDatabase(url).close();
      console.log("SQLite: up to date");
    }
    return 0;
  }
  if (verb === "copy") return dbCopy(rest);
  throw new UsageError(`unknown command "db${verb === undefined ? "" : ` ${shown(verb)}`}": use db migrate or db copy`);
}

/**
 * The gathered files and archives under this installation's DATA_DIR, into
 * the target's PostgreSQL blob store (ADR 0021), and the rows that named them
 * by absolute path (written before the blob store) renamed to their keys.
 * Run again after a failure, it copies only what is missing.
 */
async function copyFiles(toUrl: string) {
  const { env } = await import("../app/utils/env.server");
  const { LocalBlobStore, PgBlobStore, copyBlobs } = await import("../app/utils/blob-store.server");
  const { openDatabase, rawRun } = await import("../app/utils/db.server");
  const { sql } = await import("drizzle-orm");
  const dataDir = env().DATA_DIR;
  const from = new LocalBlobStore(dataDir);
  const to = new PgBlobStore(toUrl);
  const total = { copied: 0, skipped: 0, bytes: 0 };
  try {
    for (const prefix of ["gathered/", "archives/"]) {
      const r = await copyBlobs(from, to, prefix);
      total.copied += r.copied;
      total.skipped += r.skipped;
      total.bytes += r.bytes;
    }
  } finally {
    await to.close();
  }
  const target = openDatabase(toUrl);
  try {
    const prefix = `${dataDir.replace(/\/+$/, "")}/`;
    for (const table of ["gathered_items", "archives"]) {
      await rawRun(target.db, sql`UPDATE ${sql.identifier(table)} SET file_path = substr(file_path, ${prefix.length + 1}) WHERE starts_with(file_path, ${prefix})`);
    }
  } finally {
    target.close();
    await target.closed;
  }
  return total;
}

async function dbCopy(rest: string[]): Promise<number> {
  const v = flags(rest, { from: { type: "string" }, to: { type: "string" } });
  const { copyInstallation, copyUrlProblem, CopyRefused, describeTarget } = await import("../app/services/db-copy.server");
  const problem = copyUrlProblem(v.from, v.to);
  if (problem) throw new UsageError(problem);
  console.log(`copying the SQLite installation to PostgreSQL ${describeTarget(String(v.to))}`);
  try {
    const report = await copyInstallation({ fromUrl: String(v.from), toUrl: String(v.to) });
    for (const c of report.checks) console.log(c.line);
    if (!report.ok) {
      console.log("copy checked: FAILED (see the lines above)");
      return 1;
    }
    const files = await copyFiles(String(v.to));
    console.log(`files: ${files.copied} copied into the database's blob store (${files.bytes} bytes), ${files.skipped} already there`);
    console.log("copy checked: ok");
    return 0;
  } catch (error) {
    if (error instanceof CopyRefused) {
      console.error(`cli: ${error.message}`);
      return 1;
    }
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === "string" && /^(E[A-Z]+|[0-9A-Z]{5})$/.test(code)) {
      // A connection or database error: its code, not its message (which may quote a row's values).
      const words: Record<string, string> = {
        ECONNREFUSED: "the PostgreSQL server does not answer",
        ENOTFOUND: "the PostgreSQL host is unknown",
        "28000": "PostgreSQL refused the user",
        "28P01": "PostgreSQL refused the password",
        "3D000": "the target database does not exist and could not be created",
        "42501": "the PostgreSQL user lacks a permission the copy needs",
        "22021": "a text holds a character PostgreSQL cannot store (NUL)",
      };
      console.error(`cli: the copy failed: ${words[code] ?? "database error"} (${code}); nothing was committed to the target`);
      return 1;
    }
    throw error;
  }
}

const REFUSALS: Record<string, string> = {
  four_eyes: "refused: the approver prepared this plan (four eyes)",
  no_such_staff: "refused: no active staff account with that email",
  not_the_approver: "refused: the plan was approved by someone else",
  no_erasure_right: "the request does not ask for erasure",
  no_access_right: "refused: the request does not ask for access (Art. 15), so no access archive",
  no_portability_right: "refused: the request does not ask for portability (Art. 20), so no portability archive",
  erasure_under_way: "an erasure is already under way for this request",
  not_approved: "no approved erasure plan",
  already_running: "already running: another process holds this job; it finishes it (or it is taken over once its lease runs out)",
  nothing_held: "nothing was found for this person: send the no-data answer instead",
  gather_not_complete: "a connector was not searched or failed: re-run it, or the DPO records why to answer without it",
  withholdings_pending: "refused: a proposed withholding awaits the DPO's decision (archive preview on the ticket page)",
};

/**
 * Runs one command line and returns the exit code: 0, 1 when the operation
 * failed, 2 when the command line is wrong. Importable (tests/fuzz-cli.test.ts
 * calls it in-process); only running this file as a script exits.
 */
export async function run(args: string[]): Promise<number> {
  try {
    return await main(args);
  } catch (error) {
    return failure(error);
  }
}

/** As a script: run, then close the database (a PostgreSQL pool would keep the process alive). */
async function runAndClose(args: string[]): Promise<number> {
  try {
    return await run(args);
  } finally {
    closeDb();
  }
}

function failure(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`cli: ${error.message}\n${USAGE}`);
    return 2;
  } else if (error instanceof UnmigratedDatabase) {
    console.error(error.message);
    return 1;
  } else if (error instanceof ConfigError || (error instanceof Error && (error.name === "ConnectorConfigError" || error.name === "OrganisationConfigError"))) {
    console.error(error.message);
    return 1;
  } else if (error instanceof DomainError) {
    const reason = typeof error.detail.reason === "string" ? error.detail.reason : undefined;
    const what =
      (reason && { not_gathered: "nothing gathered yet: run gather first", gather_incomplete: "a connector's gather did not finish: re-run it first" }[reason]) ??
      (typeof error.detail.code === "string" ? REFUSALS[error.detail.code] : undefined) ??
      (error.code === "forbidden" ? "refused: that role cannot do this" : undefined) ??
      { not_found: "no such request", illegal_transition: "not possible in the request's current status", invalid_input: "invalid input" }[error.code as string] ??
      error.code;
    console.error(`cli: ${what}`);
    return 1;
  }
  const fsCode = (error as { code?: unknown } | null)?.code;
  if (typeof fsCode === "string" && /^E[A-Z]+$/.test(fsCode) && (error as { syscall?: unknown }).syscall !== undefined) {
    // A file the command had to write (--out): the system's reason, not the path (it may name a person).
    console.error(`cli: cannot write the output file (${fsCode})`);
    return 1;
  }
  throw error;
}

const script = process.argv[1];
if (script && import.meta.url === pathToFileURL(realpathSync(script)).href) process.exitCode = await runAndClose(process.argv.slice(2));
