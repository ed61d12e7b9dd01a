import nodemailer, { type Transporter } from "nodemailer";
import { env } from "./env.server";

/**
 * How messages leave the building. Outside production, with no SMTP_URL or
 * SMS_GATEWAY_URL, the "dev" transports deliver nowhere: the message stays
 * readable at the development outbox page (/dev/outbox).
 */
export type OutgoingEmail = { to: string; subject: string; text: string; html: string | null };
export type OutgoingSms = { to: string; text: string };
export type Transports = {
  email: { name: string; send(m: OutgoingEmail): Promise<void> };
  sms: { name: string; send(m: OutgoingSms): Promise<void> };
};

let smtp: { url: string; transporter: Transporter } | undefined;

function smtpTransport(url: string): Transporter {
  if (!smtp || smtp.url !== url) {
    smtp?.transporter.close();
    smtp = {
      url,
      transporter: nodemailer.createTransport(url, {
        // Fail fast: the outbox retries later, a hung socket would stall the loop.
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      } as import("nodemailer").TransportOptions),
    };
  }
  return smtp.transporter;
}

export function transports(): Transports {
  const e = env();
  const email: Transports["email"] = e.SMTP_URL
    ? {
        name: "smtp",
        async send(m) {
          await smtpTransport(e.SMTP_URL!).sendMail({
            from: e.MAIL_FROM,
            to: m.to,
            subject: m.subject,
            text: m.text,
            html: m.html ?? undefined,
          });
        },
      }
    : { name: "dev", async send() {} };
  const sms: Transports["sms"] = e.SMS_GATEWAY_URL
    ? {
        name: "sms-gateway",
        async send(m) {
          const res = await fetch(e.SMS_GATEWAY_URL!, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              ...(e.SMS_GATEWAY_TOKEN ? { authorization: `Bearer ${e.SMS_GATEWAY_TOKEN}` } : {}),
            },
            body: JSON.stringify({ to: m.to, text: m.text }),
            signal: AbortSignal.timeout(10_000),
          });
          if (!res.ok) throw new Error(`SMS gateway answered HTTP ${res.status}`);
        },
      }
    : { name: "dev", async send() {} };
  return { email, sms };
}

export function closeTransports() {
  smtp?.transporter.close();
  smtp = undefined;
}
