import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The production server in its own process, as `npm start` runs it (the
 * build must exist: call buildIfStale first): its own data directory, SMTP
 * and SMS pointing at closed ports (mail just queues), worker loops off, no
 * suppression API. What `npm run bench` and `npm run -s budget` measure.
 * Resolves once /healthz answers.
 */
export async function startProductionServer(opts: { dataDir: string; databaseUrl?: string; env?: Record<string, string | undefined>; nodeArgs?: string[] }) {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  mkdirSync(opts.dataDir, { recursive: true });
  // As `npm start` runs it (package.json): a 4 MiB young generation keeps the server's memory flat.
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), "--max-semi-space-size=4", "--import", "tsx", "scripts/serve.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      APP_ENV: "production",
      APP_SECRET: process.env.APP_SECRET ?? "production-server-secret-0123456789abcdef0123",
      SUPPRESSION_HASH_KEY: "production-server-suppression-key-0123456789abcdef",
      HOST: "127.0.0.1",
      PORT: String(port),
      BASE_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: opts.dataDir,
      DATABASE_URL: opts.databaseUrl ?? `file:${path.join(opts.dataDir, "rightsdesk.sqlite")}`,
      SMTP_URL: "smtp://127.0.0.1:9",
      SMS_GATEWAY_URL: "http://127.0.0.1:9/sms",
      SMS_GATEWAY_TOKEN: "unused",
      WORKERS: "0",
      // No dialler reads the suppression list here; production otherwise refuses to start without its token.
      SUPPRESSION_API: "off",
      CONNECTORS_CONFIG: path.join(opts.dataDir, "no-connectors.json"),
      ...opts.env,
    },
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((resolve) => http.get({ host: "127.0.0.1", port, path: "/healthz" }, (r) => (r.resume(), resolve(r.statusCode === 200))).on("error", () => resolve(false)));
    if (ok) break;
    if (i > 300 || child.exitCode !== null) throw new Error(`the server did not start: ${stderr.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    stop: () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGTERM")))),
  };
}
