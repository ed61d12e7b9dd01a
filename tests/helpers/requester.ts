import { expect } from "vitest";
import { lastCode } from "../mocks/sms";
import { textOf, validRequest, type Browser, type TestApp } from "./app";
import { mailTo, type Mailbox } from "./smtp-sink";
import { unzipEntries } from "./zip";

/**
 * The requester's side, as a person goes through it: the form, the message
 * RightsDesk sends (the SMTP sink, the SMS gateway's mock), the link or the
 * code, the status page.
 */
export function linkIn(text: string, pathPrefix: string): string {
  const url = text.match(/https?:\/\/\S+/g)?.find((u) => new URL(u).pathname.startsWith(pathPrefix));
  if (!url) throw new Error(`no ${pathPrefix} link in message`);
  return new URL(url).pathname;
}

/** How many SMS were delivered to `phone` (E.164), after one outbox tick. */
export async function smsCountTo(app: TestApp, phone: string) {
  await app.deliver();
  return app.sms.sent.filter((s) => s.to === phone).length;
}

/** The last SMS delivered to `phone` (E.164). */
export async function smsTo(app: TestApp, phone: string) {
  await app.deliver();
  const sms = [...app.sms.sent].reverse().find((s) => s.to === phone);
  if (!sms) throw new Error("no SMS delivered to that number");
  return sms;
}

/** Filed on the web form: the browser that filed, the reference shown, and the "sent" page's HTML. */
export async function fileOne(app: Pick<TestApp, "browser">, overrides: Record<string, string | string[]> = {}) {
  const browser = app.browser();
  const res = await browser.post("/demande", validRequest(overrides));
  expect(res.status, textOf(await res.clone().text()).slice(0, 300)).toBe(302);
  expect(res.headers.get("location")).toBe("/demande/envoyee");
  const page = await (await browser.get("/demande/envoyee")).text();
  const reference = textOf(page).match(/DSR-\d{4}-\d{6}/)?.[0];
  if (!reference) throw new Error(`no reference on the "sent" page: ${textOf(page).slice(0, 300)}`);
  return { browser, reference, page };
}

/** Filed on the web and confirmed from the emailed link: the browser holds the follow session. */
export async function verifiedByEmail(app: TestApp, overrides: Record<string, string | string[]> = {}) {
  const { browser, reference } = await fileOne(app, overrides);
  const email = (overrides.email as string | undefined) ?? "desmarc.corinne@orange.fr";
  const verifyPath = linkIn((await mailTo(app, email, "Confirmez")).text!, "/verification/");
  expect((await browser.post(verifyPath, {})).status).toBe(302);
  return { browser, reference };
}

/** Filed on the web with a mobile number only and confirmed with the SMS code. */
export async function verifiedBySms(app: TestApp, phoneTyped: string, e164: string, overrides: Record<string, string | string[]> = {}) {
  const { browser, reference } = await fileOne(app, { email: "", phone: phoneTyped, verificationMethod: "sms", ...overrides });
  await app.deliver();
  expect((await browser.post("/demande/envoyee", { intent: "verify", code: lastCode(app.sms.sent, e164) })).status).toBe(302);
  return { browser, reference };
}

/** The status page as the requester sees it (text and HTML). */
export async function statusPage(browser: Browser) {
  const html = await (await browser.get("/suivi/demande")).text();
  return { html, text: textOf(html) };
}

/** Opens the letter an SMS points to: the status link in it, then the letter on the status page. */
export async function letterFromSms(app: TestApp, phone: string) {
  const sms = await smsTo(app, phone);
  const browser = app.browser();
  const followed = await browser.get(linkIn(sms.text, "/suivi/lien/"));
  expect(followed.status).toBe(302);
  const { html } = await statusPage(browser);
  const letters = [...html.matchAll(/href="(\/suivi\/courrier\/\d+)"/g)].map((m) => m[1]!);
  expect(letters.length).toBeGreaterThan(0);
  const letter = await browser.get(letters.at(-1)!);
  expect(letter.status).toBe(200);
  return { sms, browser, letter: textOf(await letter.text()) };
}

/**
 * An archive as the requester gets it: the status link from the "ready"
 * message, a fresh download link to their address, the ZIP's entries.
 */
export async function downloadArchive(app: Pick<TestApp, "browser"> & Mailbox, email: string, archiveId: number): Promise<Map<string, Buffer>> {
  const ready = await mailTo(app, email, "Vos données sont prêtes");
  const person = app.browser();
  await person.follow(await person.get(linkIn(ready.text!, "/suivi/lien/")));
  expect((await person.post("/suivi/demande", { archiveId: String(archiveId) })).status).toBe(200);
  const link = new URL((await mailTo(app, email, "Lien de téléchargement")).text!.match(/https?:\/\/\S+\/archive\/\S+/)![0]);
  expect((await person.get(link.pathname + link.search)).status).toBe(200);
  const download = await person.post(`${link.pathname}/fichier`, { a: String(archiveId) });
  expect(download.status).toBe(200);
  expect(download.headers.get("content-type")).toBe("application/zip");
  return unzipEntries(Buffer.from(await download.arrayBuffer()));
}
