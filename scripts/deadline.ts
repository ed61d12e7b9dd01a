/**
 * Print the legal response deadline for a request received on a Paris date.
 *
 *   npx tsx scripts/deadline.ts <YYYY-MM-DD> [--extended] [--alsace-moselle]
 *
 * Output is exactly one ISO date on stdout so the command can be used in
 * shell pipelines; every error goes to stderr with exit code 2.
 */
import { dueDate, extendedDueDate, parseLocalDate, type HolidayProfile } from '../app/services/deadlines';

const USAGE = 'usage: deadline <YYYY-MM-DD> [--extended] [--alsace-moselle]';

function fail(message: string): never {
  process.stderr.write(`deadline: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function main(argv: string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      `${USAGE}\n\n` +
        'Prints the GDPR Art. 12(3) response deadline for a request received on the given\n' +
        'Europe/Paris date (one month, rolled forward to the next French working day).\n\n' +
        '  --extended        deadline after the two-month extension\n' +
        '  --alsace-moselle  also treat Good Friday and 26 December as public holidays\n',
    );
    return;
  }

  let extended = false;
  let profile: HolidayProfile = 'metropolitan';
  let date: string | undefined;

  for (const arg of argv) {
    if (arg === '--extended') extended = true;
    else if (arg === '--alsace-moselle') profile = 'alsace-moselle';
    else if (arg.startsWith('-') && arg.length > 1) fail(`unknown option ${JSON.stringify(arg)}`);
    else if (date !== undefined) fail(`unexpected extra argument ${JSON.stringify(arg)}`);
    else date = arg;
  }

  if (date === undefined) fail('missing date of receipt');

  let received: string;
  try {
    received = parseLocalDate(date);
  } catch (err) {
    fail(err instanceof Error ? err.message : `invalid date ${JSON.stringify(date)}`);
  }

  const result = extended ? extendedDueDate(received, { profile }) : dueDate(received, { profile });
  process.stdout.write(`${result}\n`);
}

main(process.argv.slice(2));
