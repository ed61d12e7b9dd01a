/**
 * The floor `npm run bench` measures the production server against, in the
 * same run: a bare `node:http` server in its own process that answers
 * `GET /healthz` with a constant and a form post with one prepared
 * better-sqlite3 INSERT and a 302, on a database opened with the app's
 * pragmas (WAL, synchronous NORMAL, temp store in memory). No framework, no
 * session, no validation, no log: what any server on this machine and this
 * Node pays for HTTP and one durable row, so that a figure divided by it
 * moves with the code and not with the runner.
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

if (process.env.BENCH_REFERENCE_DB) await serve(process.env.BENCH_REFERENCE_DB);

async function serve(file: string) {
  const Database = (await import("better-sqlite3")).default;
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("temp_store = MEMORY");
  sqlite.exec(`CREATE TABLE IF NOT EXISTS filings (
    id INTEGER PRIMARY KEY, reference TEXT NOT NULL UNIQUE, rights TEXT NOT NULL, last_name TEXT NOT NULL,
    first_name TEXT NOT NULL, email TEXT, details TEXT, received_at INTEGER NOT NULL)`);
  const insert = sqlite.prepare("INSERT INTO filings (reference, rights, last_name, first_name, email, details, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  let seq = 0;
  const server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      return;
    }
    if (req.method !== "POST" || req.url !== "/demande") {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const f = new URLSearchParams(Buffer.concat(chunks).toString());
      const reference = `REF-${String(++seq).padStart(7, "0")}`;
      insert.run(reference, JSON.stringify(f.getAll("rights")), f.get("lastName") ?? "", f.get("firstName") ?? "", f.get("email"), f.get("details"), Date.now());
      res.writeHead(302, { location: `/demande/envoyee?ref=${reference}` }).end();
    });
  });
  server.listen(0, "127.0.0.1", () => console.log(String((server.address() as { port: number }).port)));
  process.on("SIGTERM", () => server.close(() => (sqlite.close(), process.exit(0))));
}

/** The reference server in its own process (as the production server runs in its own), with a fresh database under `dataDir`. */
export async function startReferenceServer(opts: { dataDir: string }) {
  mkdirSync(opts.dataDir, { recursive: true });
  // The same Node flags as the production server (scripts/production-server.ts), tsx included.
  const child = spawn(process.execPath, ["--max-semi-space-size=4", "--import", "tsx", fileURLToPath(import.meta.url)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH, NODE_ENV: "production", BENCH_REFERENCE_DB: path.join(opts.dataDir, "reference.sqlite") },
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(Number(out.trim().split("\n")[0]));
    });
    child.once("exit", (code) => reject(new Error(`the reference server exited (${code}): ${stderr.slice(0, 2000)}`)));
  });
  return {
    port,
    stderr: () => stderr,
    stop: () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGTERM")))),
  };
}
