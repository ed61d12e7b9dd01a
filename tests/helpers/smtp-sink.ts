import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

/**
 * A real SMTP server on a local port: what the app sends is read back whole.
 * `delayMs`: it takes that long to accept each message (a slow mail server).
 */
export async function startSmtpSink(port = 0, opts: { delayMs?: number } = {}) {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          if (opts.delayMs) await new Promise((resolve) => setTimeout(resolve, opts.delayMs));
          received.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  const address = server.server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return {
    port: actualPort,
    url: `smtp://127.0.0.1:${actualPort}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on (for outage tests): bind, note, release. */
export async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as import("node:net").AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** What the mail lookups need of a test app: its outbox sender's tick and its sink. */
export type Mailbox = { deliver(): unknown; sink: { received: ParsedMail[] } | null };

/**
 * The mails already in the sink addressed to `address` whose subject holds
 * `subject` (any subject when omitted), oldest first. No outbox tick: for
 * tests that delivered themselves, or that check nothing more went out.
 */
export function mailsIn(app: Mailbox, address: string, subject?: string): ParsedMail[] {
  return app.sink!.received.filter((m) => m.to && JSON.stringify(m.to).includes(address) && (subject === undefined || m.subject?.includes(subject)));
}

/** After one outbox tick, the mails delivered to `address` (whose subject holds `subject`), oldest first. */
export async function mailsTo(app: Mailbox, address: string, subject?: string): Promise<ParsedMail[]> {
  await app.deliver();
  return mailsIn(app, address, subject);
}

/**
 * The last email delivered to `address` whose subject contains `part` (after
 * one outbox tick); `inText` also accepts a mail whose body contains it, for
 * mails told apart by the link they carry. Throws when there is none.
 */
export async function mailTo(app: Mailbox, address: string, part: string, opts: { inText?: boolean } = {}): Promise<ParsedMail> {
  await app.deliver();
  const mail = app.sink!.received.findLast((m) => m.to && JSON.stringify(m.to).includes(address) && (m.subject?.includes(part) || (opts.inText && m.text?.includes(part))));
  if (!mail) throw new Error(`no mail "${part}" delivered to that address`);
  return mail;
}
