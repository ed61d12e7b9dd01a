import { http, HttpResponse, delay } from "msw";

/**
 * The SMS gateway is a third party: msw stands in for it. `mode` switches the
 * behaviour so tests can prove an outage loses nothing.
 */
export const SMS_GATEWAY_URL = "https://sms-gateway.test/v1/messages";

export type SentSms = { to: string; text: string; authorization: string | null };

export function smsGateway() {
  const sent: SentSms[] = [];
  const state = { mode: "ok" as "ok" | "down" | "slow" | "malformed" };
  const handlers = [
    http.post(SMS_GATEWAY_URL, async ({ request }) => {
      if (state.mode === "down") return HttpResponse.json({ error: "unavailable" }, { status: 503 });
      if (state.mode === "slow") await delay(15_000);
      const body = (await request.json()) as { to: string; text: string };
      if (state.mode === "malformed") return new HttpResponse("{not json", { status: 500 });
      sent.push({ to: body.to, text: body.text, authorization: request.headers.get("authorization") });
      return HttpResponse.json({ id: `msg-${sent.length}`, status: "queued" }, { status: 202 });
    }),
  ];
  return { handlers, sent, state };
}

/** The 6-digit code inside the last SMS sent to `to`. */
export function lastCode(sent: SentSms[], to: string): string {
  const sms = [...sent].reverse().find((s) => s.to === to);
  // The reference (DSR-2026-000123) also ends in six digits: the code is the standalone group.
  const code = sms?.text.match(/(?<![-\d])(\d{6})(?!\d)/)?.[1];
  if (!code) throw new Error("no code sent to that number");
  return code;
}
