/**
 * Operator command line: `npm run -s cli -- <command>`.
 * Commands grow with the back office; each prints plain lines and exits
 * non-zero on failure.
 */
import { deliverDue, pendingCount } from "../app/services/outbox.server";
import { expireUnverified } from "../app/services/requests.server";
import { db } from "../app/utils/db.server";
import { ConfigError } from "../app/utils/env.server";

const USAGE = `usage: npm run -s cli -- <command>

commands:
  outbox status     how many messages are waiting to be sent
  outbox flush      try to send every due message now
  expire            mark requests unverified for too long as expired`;

async function main(args: string[]): Promise<number> {
  const [group, verb] = args;
  if (group === "outbox" && verb === "status") {
    console.log(`pending ${pendingCount(db())}`);
    return 0;
  }
  if (group === "outbox" && verb === "flush") {
    const r = await deliverDue({ db: db() });
    console.log(`sent ${r.sent} failed ${r.failed}`);
    return r.failed ? 1 : 0;
  }
  if (group === "expire" && !verb) {
    const n = expireUnverified({ ctx: { db: db(), now: new Date(), actor: { kind: "system" } } });
    console.log(`expired ${n}`);
    return 0;
  }
  if (group === "--help" || group === "-h" || !group) {
    console.log(USAGE);
    return group ? 0 : 2;
  }
  console.error(`cli: unknown command "${args.join(" ")}"\n${USAGE}`);
  return 2;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exitCode = 1;
  } else throw error;
}
