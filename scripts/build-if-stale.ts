import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Builds the production bundle unless it is newer than every source file.
 * Used by the demo and by the test suite, which both run the real build.
 */
function newest(dir: string): number {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

export function buildIfStale(root: string, opts: { quiet?: boolean } = {}): boolean {
  const output = path.join(root, "build/server/index.js");
  const sources = Math.max(
    ...["app", "db", "emails", "public"].filter((d) => existsSync(path.join(root, d))).map((d) => newest(path.join(root, d))),
    ...["vite.config.ts", "remix.config.js", "package-lock.json"].map((f) => statSync(path.join(root, f)).mtimeMs),
  );
  if (existsSync(output) && statSync(output).mtimeMs > sources) return false;
  execFileSync(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], {
    cwd: root,
    stdio: ["ignore", opts.quiet ? "ignore" : "inherit", "inherit"],
    // A production build whoever asks: under vitest NODE_ENV is "test", and Vite would then bundle React's development build.
    env: { ...process.env, VITEST: "", NODE_ENV: "production" },
  });
  return true;
}
