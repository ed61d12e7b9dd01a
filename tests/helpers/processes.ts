import { spawn } from "node:child_process";
import path from "node:path";

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

export const cli = (args: string[], env: NodeJS.ProcessEnv, opts?: { timeoutMs?: number }) => run("scripts/cli.ts", args, env, opts);
