import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

export type Finished = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/**
 * A real separate process (a CLI command or a test fixture script), started
 * now: several can run at once against the same SQLite file, as the server's
 * worker, a second server and the operator's CLI do in production.
 */
export function run(script: string, args: string[], env: NodeJS.ProcessEnv, opts: { timeoutMs?: number } = {}): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [script, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
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
}

export const cli = (args: string[], env: NodeJS.ProcessEnv, opts?: { timeoutMs?: number }) => run("scripts/cli.ts", args, env, opts);
