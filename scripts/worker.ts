/**
 * `npm run worker`: the background work without a web server — the outbox
 * sender, the gather and erasure queues, the sweeps, the daily retention run
 * and the daily deadline digest (app/services/workers.server.ts). Any number
 * of these may run beside any number of `npm start` processes on one
 * database: every job is claimed, so each is done once (docs/operations.md,
 * "Process roles"). It runs the production build, like `npm start`.
 *
 * SIGTERM or SIGINT: no new tick starts, the ticks under way finish, then the
 * process exits 0.
 */
import { checkBuildConfig, configOrExit, productionBuild } from "./serve";

const config = configOrExit();
const build = await productionBuild();
await checkBuildConfig(build);
const startWorkers = build.entry.module.startWorkers;
if (!startWorkers) {
  console.error("This build has no workers: run `npm run build` again.");
  process.exit(1);
}

// The database's kind only: its URL may carry a password.
const store = config.DATABASE_URL.startsWith("file:") ? "SQLite" : "PostgreSQL";
console.log(`RightsDesk worker started (pid ${process.pid}, ${store}, ${config.APP_ENV}): outbox, gathers, erasures, sweeps, retention, daily digest`);
// Resolves once the first sweep is done; a signal before that waits for it.
const started = startWorkers();

let stopping = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  console.log(`RightsDesk worker stopping (${signal}): finishing the current work`);
  void started
    .then((stop) => stop())
    .then(() => process.exit(0), () => process.exit(1));
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);

await started;
console.log("RightsDesk worker ready: first sweep done");
// The workers' timers are unref'd (so that a web process exits once its server closes): hold this one open.
setInterval(() => undefined, 1 << 30);
