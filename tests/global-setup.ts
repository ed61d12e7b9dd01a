import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Integration tests drive the production server build over HTTP, so it is
 * built once per run, and only when a source is newer than the last build.
 */
function newest(dir: string): number {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

export default function setup() {
  const root = path.resolve(import.meta.dirname, "..");
  const output = path.join(root, "build/server/index.js");
  const sources = Math.max(...["app", "db", "emails"].map((d) => newest(path.join(root, d))), statSync(path.join(root, "vite.config.ts")).mtimeMs);
  if (existsSync(output) && statSync(output).mtimeMs > sources) return;
  execFileSync(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, VITEST: "" },
  });
}
