/**
 * Starts RightsDesk: `npm start` (production build) or `npm run dev` (Vite).
 * Migrations run on first database use; the background workers run inside
 * this process unless WORKERS=0 (then `npm run worker`, scripts/worker.ts,
 * runs them in processes of their own).
 */
import type { ServerBuild } from "@remix-run/node";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createHttpApp } from "../app/web/http.server";
import { ConfigError, parseEnv, type Env } from "../app/utils/env.server";

export type BuildWithWorkers = ServerBuild & {
  entry: {
    module: {
      startWorkers?: () => Promise<() => Promise<void>>;
      env?: () => unknown;
      connectors?: () => unknown;
      organisation?: () => unknown;
      databaseReady?: () => Promise<void>;
      closeDb?: () => void;
    };
  };
};

/** The environment, or its problems on stderr and exit 1. */
export function configOrExit(): Env {
  try {
    return parseEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** The production build (`npm run build`), or a hint on stderr and exit 1. */
export async function productionBuild(): Promise<BuildWithWorkers> {
  const serverFile = path.resolve("build/server/index.js");
  if (!existsSync(serverFile)) {
    console.error("No production build: run `npm run build` first (or `npm run demo`, which builds).");
    process.exit(1);
  }
  return (await import(pathToFileURL(serverFile).href)) as BuildWithWorkers;
}

/**
 * Fail fast on configuration, in the bundle's own copy of env too, on
 * connectors.config.json and on organisation.config.json (each error with
 * its exact path): the legal pages and every footer are built from the latter.
 */
export async function checkBuildConfig(build: BuildWithWorkers) {
  try {
    build.entry.module.env?.();
    build.entry.module.connectors?.();
    build.entry.module.organisation?.();
    // PostgreSQL: migrated (in production, checked: a process never migrates it itself), before serving anything.
    await build.entry.module.databaseReady?.();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

export async function startServer(opts: { dev?: boolean; port?: number; quiet?: boolean } = {}) {
  const config = configOrExit();
  const port = opts.port ?? config.PORT;
  let app;
  let workersFrom: () => Promise<BuildWithWorkers>;
  if (opts.dev) {
    const vite = await import("vite");
    const server = await vite.createServer({ server: { middlewareMode: true } });
    const load = () => server.ssrLoadModule("virtual:remix/server-build") as Promise<BuildWithWorkers>;
    app = createHttpApp({ build: load, vite: server, trustProxy: config.TRUST_PROXY, logRequests: !opts.quiet });
    workersFrom = load;
  } else {
    const build = await productionBuild();
    app = createHttpApp({
      build,
      clientDir: path.resolve("build/client"),
      trustProxy: config.TRUST_PROXY,
      https: config.BASE_URL.startsWith("https://"),
      logRequests: !opts.quiet,
    });
    workersFrom = async () => build;
  }
  const build = await workersFrom();
  await checkBuildConfig(build);
  const stopWorkers = config.WORKERS ? await build.entry.module.startWorkers?.() : undefined;
  const host = listenHost(config);
  const server = await new Promise<import("node:http").Server>((resolve) => {
    const s = host ? app.listen(port, host, () => resolve(s)) : app.listen(port, () => resolve(s));
  });
  const shutdown = () => {
    // Stop taking requests, let the workers' current ticks finish, then exit (a stuck tick gets 10 s).
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    void Promise.all([closed, stopWorkers?.()]).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  return { server, config };
}

/**
 * Where to listen: HOST when set; otherwise every interface in production
 * (behind its reverse proxy or load balancer), and this machine only
 * anywhere else — the demo and development serve the dev outbox, which shows
 * every link and code "sent", and nobody else on the network should reach it.
 */
export function listenHost(config: Pick<Env, "HOST" | "APP_ENV">): string | undefined {
  return config.HOST ?? (config.APP_ENV === "production" ? undefined : "127.0.0.1");
}

const isMain = process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url;
if (isMain) {
  const { server, config } = await startServer({ dev: process.argv.includes("--dev") });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  console.log(`RightsDesk listening on port ${port} (${listenHost(config) ?? "all interfaces"}) — ${config.BASE_URL}`);
}
