import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freshPostgresDatabase, onPostgres } from "./postgres";
import { freePort } from "./smtp-sink";

const ROOT = path.resolve(import.meta.dirname, "../..");

export type Finished = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };
/** A running process: await it for its outcome; `pid` is the node process doing the work (to pause it with SIGSTOP). */
export type Running = Promise<Finished> & { pid: number };

/**
 * A real separate process (a CLI command or a test fixture script), started
 * now: several can run at once against the same SQLite file, as the server's
 * worker, a second server and the operator's CLI do in production. Node is
 * started directly with tsx's loader (not through the tsx wrapper) so that the
 * pid is the process itself.
 */
export function run(script: string, args: string[], env: NodeJS.ProcessEnv, opts: { timeoutMs?: number } = {}): Running {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const finished = new Promise<Finished>((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return Object.assign(finished, { pid: child.pid! });
}

/** The operator CLI (`npm run -s cli -- …`, scripts/cli.ts) in its own process, with exactly the environment given. */
export const cli = (args: string[], env: NodeJS.ProcessEnv, opts?: { timeoutMs?: number }) => run("scripts/cli.ts", args, env, opts);

/**
 * What an operator's shell gives the CLI beside a test app: the app's secret
 * and database (from process.env, where startApp put them), `dataDir`, no
 * reachable server, quiet logs; `env` adds to or overrides it.
 */
export function cliEnv(dataDir: string, env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: "test",
    APP_ENV: "test",
    APP_SECRET: process.env.APP_SECRET,
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.DATABASE_URL,
    BASE_URL: "http://127.0.0.1:9",
    LOG_LEVEL: "silent",
    ...env,
  };
}

export type ServerProcess = { child: ChildProcess; base: string; dir: string; output: () => string; stop: () => void };

/**
 * The production server (`scripts/serve.ts`, as `npm start` runs it) in its own
 * process, on a free port with its own data folder; resolves once it listens.
 * `env` adds to or overrides a minimal production-like environment.
 */
export async function startServer(env: Record<string, string>, opts: { timeoutMs?: number } = {}): Promise<ServerProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-server-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      APP_ENV: "test",
      PORT: String(port),
      HOST: "127.0.0.1",
      BASE_URL: base,
      DATA_DIR: dir,
      SMTP_URL: "smtp://127.0.0.1:9",
      SMS_GATEWAY_URL: "http://127.0.0.1:9/unused",
      LOG_LEVEL: "warn",
      CONNECTORS_CONFIG: path.join(dir, "none.json"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const started = Date.now();
  while (!output.includes("listening on port")) {
    if (Date.now() - started > (opts.timeoutMs ?? 30_000) || child.exitCode !== null) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    base,
    dir,
    output: () => output,
    stop: () => {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const demoDatabases = new Map<string, string>();

export type DemoProcess = { child: ChildProcess; base: string; env: NodeJS.ProcessEnv; output: () => string; stop: () => Promise<void> };

/**
 * `npm run demo` in its own process (scripts/demo.ts, as a newcomer's shell
 * starts it) on free ports, with `dataDir` as its data directory; resolves
 * once it has printed its instructions. `env` is what a second terminal
 * beside it would have (the same DATA_DIR, APP_ENV and CRM port).
 */
export async function startDemo(dataDir: string, opts: { port?: number; crmPort?: number; timeoutMs?: number; host?: string } = {}): Promise<DemoProcess> {
  const [port, crmPort] = [opts.port ?? (await freePort()), opts.crmPort ?? (await freePort())];
  // The browser tests open it as "localhost", the address a newcomer types.
  const base = `http://${opts.host ?? "127.0.0.1"}:${port}`;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", APP_ENV: "demo", PORT: String(port), DEMO_CRM_PORT: String(crmPort), DATA_DIR: dataDir, BASE_URL: base, LOG_LEVEL: "warn" };
  // The PostgreSQL pass: the demo on its own database, the same one when it is started again on this data directory.
  if (onPostgres) {
    let url = demoDatabases.get(dataDir);
    if (!url) demoDatabases.set(dataDir, (url = await freshPostgresDatabase("rd_demo")));
    env.DATABASE_URL = url;
  }
  const child = spawn(process.execPath, ["--max-semi-space-size=4", "--import", "tsx", "scripts/demo.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const started = Date.now();
  while (!output.includes("Ctrl+C")) {
    if (child.exitCode !== null || Date.now() - started > (opts.timeoutMs ?? 120_000)) {
      child.kill("SIGKILL");
      throw new Error(`demo did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    base,
    env,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

export type WorkerProcess = { pid: number; output: () => string; stop: () => Promise<Finished> };

/**
 * `npm run worker` (scripts/worker.ts) in its own process with exactly the
 * environment given; resolves once its first sweep is done. `stop` sends
 * SIGTERM and resolves with how it ended.
 */
export async function startWorker(env: NodeJS.ProcessEnv, opts: { timeoutMs?: number } = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const finished = new Promise<Finished>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  const started = Date.now();
  while (!stdout.includes("first sweep done")) {
    if (child.exitCode !== null || Date.now() - started > (opts.timeoutMs ?? 30_000)) {
      child.kill("SIGKILL");
      throw new Error(`worker did not start:\n${stdout}${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid!,
    output: () => stdout + stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return await finished;
    },
  };
}

/**
 * Which of `pids` holds the TCP connection whose client end is `clientPort`
 * on this machine (a server sees that port as the caller's): the process that
 * made a given request, to kill that one. Linux (/proc); undefined when none.
 */
export function pidOfConnection(clientPort: number, pids: number[]): number | undefined {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"].filter((t) => existsSync(t))) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && parseInt(cols[1]!.split(":").at(-1)!, 16) === clientPort) inodes.add(`socket:[${cols[9]}]`);
    }
  }
  const holds = (pid: number) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  };
  return pids.find(holds);
}

/** Polls `check` every 100 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
