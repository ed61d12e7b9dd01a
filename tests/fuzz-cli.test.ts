import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeDb } from "../app/utils/db.server";
import { resetEnvForTests } from "../app/utils/env.server";
import { verifiedTicket } from "./helpers/tickets";

/**
 * Property-based fuzzing of the operator CLI's command line: whatever argv it
 * gets, it exits 0, 1 or 2, never with an uncaught error (a stack trace), and
 * never repeats on stderr a phone number or an email it was given (stderr
 * ends up in logs). Most cases run in-process through the exported `run`;
 * a handful are spawned to check the real exit code and stderr.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_611);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const ROOT = path.resolve(import.meta.dirname, "..");
// The loader by absolute URL: the spawned CLI runs from a scratch directory.
const TSX = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

let dir: string;
let cwd: string;
let reference: string;
let run: (args: string[]) => Promise<number>;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-fuzz-cli-"));
  mkdirSync(path.join(dir, "out"));
  env = {
    APP_ENV: "test",
    APP_SECRET: "fuzz-cli-secret-long-enough-0123456789abcdef",
    DATA_DIR: dir,
    DATABASE_URL: `file:${dir}/app.sqlite`,
    CONNECTORS_CONFIG: `${dir}/no-connectors.json`,
    // Nothing listens there: a flush fails fast and says so.
    SMTP_URL: "smtp://127.0.0.1:9",
    BASE_URL: "http://127.0.0.1:9",
    LOG_LEVEL: "silent",
  };
  Object.assign(process.env, env);
  resetEnvForTests();
  closeDb();
  reference = (await verifiedTicket({ rights: ["access", "erasure"] })).reference;
  // --out values are generated; relative ones land in a scratch directory, not the repository.
  cwd = process.cwd();
  process.chdir(path.join(dir, "out"));
  ({ run } = await import("../scripts/cli"));
});
afterAll(() => {
  process.chdir(cwd);
  closeDb();
  rmSync(dir, { recursive: true, force: true });
});

// --- generators -------------------------------------------------------------

/** Personal data an operator might paste into the wrong place. */
// (not the numbers the usage text gives as examples)
const PII = ["+33698765432", "06 98 76 54 32", "0698765432", "corinne.desmarc@orange.fr", "desmarc@example.fr"];
const piiToken = fc.oneof(
  fc.constantFrom(...PII),
  fc.constantFrom(...PII).map((p) => `--${p}`),
  fc.constantFrom(...PII).map((p) => `--email=${p}`),
  fc.constantFrom(...PII).map((p) => `-${p}`),
);
const WORDS = [
  "outbox", "status", "flush", "expire", "reminders", "--force", "gather", "export", "erase", "--plan", "--execute",
  "--prepared-by", "--approved-by", "audit", "verify", "--anchor", "--out", "--from", "--to", "--reference", "--action",
  "--actor", "--lang", "fr", "en", "staff", "create", "--email", "--role", "--site", "--name", "dpo", "agent", "tours",
  "suppression", "check", "--kind", "access", "portability", "--help", "-h", "--", "-", "DSR-2026-000001", "1:abc",
  "2026-13-45", "staff:999", "group.*", "x.zip", "x.csv",
];
const nasty = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom("", " ", "\u0000", "\u202Eevil", "👩‍👩‍👧", "e\u0301\u0301", "x".repeat(100_000), "--=", "-=", "--out=", "'\"`$(id)"),
);
const pathToken = fc.constantFrom("/nonexistent/dir/x.csv", "/nonexistent/dir/x.zip", "/", "/dev/null.csv", "./", "sub/", "bad\u0000name.csv");
const argv = fc
  .tuple(
    fc.constantFrom("outbox", "expire", "reminders", "gather", "export", "erase", "audit", "staff", "suppression", "--help", "nope"),
    fc.array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...WORDS) }, { weight: 2, arbitrary: nasty }, { weight: 2, arbitrary: piiToken }, { weight: 1, arbitrary: pathToken }), { maxLength: 7 }),
    fc.boolean(),
  )
  .map(([group, rest, realRef]) => [group, ...rest.map((a) => (realRef && a === "DSR-2026-000001" ? reference : a))]);

/** Well-formed commands with odd values where the values go. */
const value = fc.oneof(nasty, fc.constantFrom(...PII), fc.constantFrom(...WORDS));
const outPath = (ext: string) => fc.oneof(pathToken, fc.nat({ max: 99 }).map((n) => `${dir}/out/f${n}.${ext}`), value);
const command = fc.oneof(
  fc.tuple(outPath("csv"), value, value, value, value, value, value).map(([out, from, to, ref, action, actor, lang]) => ["audit", "export", "--out", out, "--from", from, "--to", to, "--reference", ref, "--action", action, "--actor", actor, "--lang", lang]),
  fc.tuple(outPath("csv")).map(([out]) => ["audit", "export", "--out", out]),
  value.map((a) => ["audit", "verify", "--anchor", a]),
  outPath("csv").map((out) => ["suppression", "export", "--out", out]),
  fc.array(value, { maxLength: 2 }).map((v) => ["suppression", "check", ...v]),
  fc.tuple(value, value, value, value).map(([email, role, site, name]) => ["staff", "create", "--email", email, "--role", role, "--site", site, "--name", name]),
  fc.tuple(fc.constantFrom("--prepared-by", "--approved-by"), value).map(([flag, who]) => ["erase", reference, flag === "--prepared-by" ? "--plan" : "--execute", flag, who]),
  fc.tuple(value, outPath("zip")).map(([kind, out]) => ["export", reference, "--kind", kind, "--out", out]),
  fc.tuple(fc.constantFrom("access", "portability"), outPath("zip")).map(([kind, out]) => ["export", reference, "--kind", kind, "--out", out]),
  value.map((r) => ["gather", r]),
);

// --- assertions -------------------------------------------------------------

function expectNoEcho(args: string[], stderr: string) {
  for (const p of PII) {
    if (!args.some((a) => a.includes(p))) continue;
    expect(stderr, `stderr repeats ${p}`).not.toContain(p);
    // Also not in another shape: the national digits of the phone number.
    if (/\d/.test(p) && !p.includes("@")) expect(stderr).not.toContain("698765432");
    if (p.includes("@")) expect(stderr).not.toContain(p.split("@")[0]);
  }
}

async function runCaptured(args: string[]) {
  const err: string[] = [];
  const spies = [
    vi.spyOn(console, "error").mockImplementation((...m: unknown[]) => void err.push(m.map(String).join(" "))),
    vi.spyOn(console, "log").mockImplementation(() => {}),
    vi.spyOn(process.stdout, "write").mockImplementation(() => true),
  ];
  try {
    const code = await run(args);
    return { code, stderr: err.join("\n") };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

const brief = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "string" && x.length > 60 ? `${x.slice(0, 30)}…(${x.length})` : x));

describe("the CLI's command line, fuzzed", () => {
  it("in-process: exit code 0, 1 or 2, no uncaught error, no personal data on stderr", async () => {
    const out = await fc.check(
      fc.asyncProperty(fc.oneof(argv, command), async (args) => {
        const { code, stderr } = await runCaptured(args);
        expect([0, 1, 2], `exit ${code}`).toContain(code);
        expect(stderr).not.toMatch(/\n\s+at /);
        expectNoEcho(args, stderr);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    if (out.failed) {
      const e = out.errorInstance;
      throw new Error(`seed ${out.seed} path "${out.counterexamplePath}": ${brief(out.counterexample)}\n${e instanceof Error ? (e.stack ?? e.message).slice(0, 1500) : String(e)}`);
    }
  }, 120_000);

  it("spawned: the real process exits 0, 1 or 2 with no stack trace and no personal data on stderr", () => {
    const cases = [
      ["unknown", "+33698765432"],
      ["--corinne.desmarc@orange.fr"],
      ["staff", "create", "--email", "corinne.desmarc@orange.fr", "--role", "nope", "--site", "tours"],
      ["suppression", "check", "06 98 76 54 32", "0698765432"],
      ["audit", "export", "--out", "/nonexistent/dir/x.csv"],
      ["audit", "export", "--out", `${dir}/out/j.csv`, "--actor", "desmarc@example.fr"],
      ["erase", reference, "--plan", "--prepared-by", "desmarc@example.fr"],
      ["reminders", "--force=0698765432"],
    ];
    for (const args of cases) {
      const r = spawnSync(process.execPath, ["--import", TSX, path.join(ROOT, "scripts/cli.ts"), ...args], { cwd: path.join(dir, "out"), env: { PATH: process.env.PATH!, NODE_ENV: "test", ...env }, encoding: "utf8" });
      const what = `${JSON.stringify(args)} → ${r.status}: ${r.stderr.slice(0, 400)}`;
      expect([0, 1, 2], what).toContain(r.status);
      expect(r.stderr, what).not.toMatch(/\n\s+at /);
      expectNoEcho(args, r.stderr);
    }
  }, 60_000);
});
