import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dueDate, parisDate } from "../app/services/deadlines";
import { instantToParisLocal, instantToParisWallTime, parisLocalToInstant } from "../app/utils/paris-time";
import { lastCode } from "./mocks/sms";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { signedIn } from "./helpers/staff";
import { ticketRow } from "./helpers/tickets";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

function phoneRequest(overrides: Record<string, string | string[]> = {}) {
  const yesterday = new Date(Date.now() - 86_400_000);
  return {
    channel: "phone",
    receivedAtLocal: instantToParisLocal(yesterday),
    site: "lille",
    rights: ["access", "objection"],
    lastName: "Vicq",
    firstName: "Christophe",
    email: "",
    phone: "06 44 55 66 77",
    details: "Appel au centre de Lille : souhaite ne plus être sollicité.",
    verification: "code_sms",
    ...overrides,
  };
}

async function record(browser: Awaited<ReturnType<typeof signedIn>>["browser"], body: Record<string, string | string[]>) {
  const res = await browser.post("/admin/saisie", body);
  expect(res.status, textOf(await res.clone().text()).slice(0, 400)).toBe(302);
  return decodeURIComponent(res.headers.get("location")!.match(/DSR-\d{4}-\d{6}/)![0]);
}

describe("agent intake", () => {
  it("records yesterday's phone call at Lille, verifies the caller by code, and counts the deadline from yesterday", async () => {
    const { browser } = await signedIn(app, "agent", "lille");
    const body = phoneRequest();
    const reference = await record(browser, body);
    const row = await ticketRow(reference);
    expect(row.channel).toBe("phone");
    expect(row.site).toBe("lille");
    expect(row.status).toBe("awaiting_verification");
    expect(row.receivedAt.getTime()).toBe(parisLocalToInstant(body.receivedAtLocal as string)!.getTime());

    await app.deliver();
    const code = lastCode(app.sms.sent, "+33644556677");
    const wrong = await browser.post(`/admin/demandes/${reference}`, { intent: "caller-code", code: code === "000000" ? "111111" : "000000" });
    expect(wrong.status).toBe(400);
    expect(textOf(await wrong.text())).toContain("Code incorrect ou expiré.");
    const ok = await browser.post(`/admin/demandes/${reference}`, { intent: "caller-code", code });
    expect(ok.status).toBe(302);

    const verified = await ticketRow(reference);
    expect(verified.status).toBe("received");
    const receivedOn = parisDate(parisLocalToInstant(body.receivedAtLocal as string)!);
    expect(verified.effectiveDueOn).toBe(dueDate(receivedOn));
    // The caller gets the same acknowledgement as web requesters (by SMS here: no email on file).
    await app.deliver();
    expect(app.sms.sent.at(-1)!.text).toContain(`demande ${reference} confirmée`);
    const page = textOf(await (await browser.get(`/admin/demandes/${reference}`)).text());
    expect(page).toContain("Demande enregistrée par un agent");
  });

  it("keeps an agent's request on their own site whatever the form says", async () => {
    const { browser } = await signedIn(app, "agent", "lille");
    const reference = await record(browser, phoneRequest({ site: "paris", verification: "document", channel: "in_person" }));
    const row = await ticketRow(reference);
    expect(row.site).toBe("lille");
    expect(row.status).toBe("received");
  });

  it("lets support record for any site", async () => {
    const { browser } = await signedIn(app, "support", "tours");
    const reference = await record(browser, phoneRequest({ site: "toulouse", channel: "mail" }));
    expect((await ticketRow(reference)).site).toBe("toulouse");
  });

  it("refuses a receipt in the future or a missing contact with messages, storing nothing", async () => {
    const { browser } = await signedIn(app, "agent", "paris");
    const future = await browser.post("/admin/saisie", phoneRequest({ receivedAtLocal: instantToParisLocal(new Date(Date.now() + 2 * 86_400_000)) }));
    expect(future.status).toBe(400);
    expect(textOf(await future.text())).toContain("La réception ne peut pas être dans le futur.");
    const noContact = await browser.post("/admin/saisie", phoneRequest({ phone: "", email: "" }));
    expect(noContact.status).toBe(400);
    const text = textOf(await noContact.text());
    expect(text).toContain("Indiquez une adresse électronique, un téléphone ou une adresse postale.");
  });

  it("does not let an administrator take requests (role check in the service)", async () => {
    const { browser } = await signedIn(app, "admin", "tours");
    expect((await browser.post("/admin/saisie", phoneRequest())).status).toBe(403);
  });

  it("converts Paris wall-clock times across daylight saving", () => {
    expect(parisLocalToInstant("2026-01-15T23:30")!.toISOString()).toBe("2026-01-15T22:30:00.000Z");
    expect(parisLocalToInstant("2026-07-15T23:30")!.toISOString()).toBe("2026-07-15T21:30:00.000Z");
    expect(parisLocalToInstant("2026-02-30T10:00")).toBeNull();
    expect(instantToParisLocal(new Date("2026-07-15T21:30:00Z"))).toBe("2026-07-15T23:30");
    // The audit export's Paris column, to the second.
    expect(instantToParisWallTime(new Date("2026-07-15T21:30:05Z"))).toBe("2026-07-15 23:30:05");
    expect(instantToParisWallTime(new Date("2026-01-15T22:30:05Z"))).toBe("2026-01-15 23:30:05");
  });
});
