import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sites } from "../db/schema/staff";
import { instantToParisLocal } from "../app/utils/paris-time";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { signedIn } from "./helpers/staff";
import { ticketRow } from "./helpers/tickets";
import { first } from "../app/utils/db.server";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

describe("team and settings", () => {
  it("lets an admin create an account whose one-time password must be changed at first sign-in", async () => {
    const { browser } = await signedIn(app, "admin");
    const res = await browser.post("/admin/equipe", { intent: "create", email: "nouvelle.dpo@centrecall.example", displayName: "Nouvelle DPO", role: "dpo", site: "tours" });
    expect(res.status).toBe(200);
    const password = textOf(await res.text()).match(/canal sûr : (\S+)/)![1]!;
    const newcomer = app.browser();
    const login = await newcomer.post("/admin/connexion", { email: "nouvelle.dpo@centrecall.example", password });
    expect(login.headers.get("location")).toBe("/admin/compte");
    // Until the password is changed, the queue is out of reach.
    expect((await newcomer.get("/admin")).headers.get("location")).toBe("/admin/compte");
    const changed = await newcomer.post("/admin/compte", { intent: "password", current: password, next: "un mot de passe assez long" });
    expect(changed.status).toBe(200);
    expect((await newcomer.get("/admin")).status).toBe(200);
  });

  it("refuses account creation to a DPO and a support user (403)", async () => {
    for (const role of ["dpo", "support"] as const) {
      const { browser } = await signedIn(app, role);
      const res = await browser.post("/admin/equipe", { intent: "create", email: `x.${role}@centrecall.example`, displayName: "X", role: "admin", site: "tours" });
      expect(res.status).toBe(403);
    }
  });

  it("deactivating an account ends its sessions at once", async () => {
    const victim = await signedIn(app, "support");
    const { browser } = await signedIn(app, "admin");
    expect((await victim.browser.get("/admin")).status).toBe(200);
    expect((await browser.post("/admin/equipe", { intent: "deactivate", staffId: String(victim.id) })).status).toBe(200);
    expect((await victim.browser.get("/admin")).headers.get("location")).toBe("/admin/connexion");
  });

  it("applies a site's Alsace-Moselle holiday profile to the requests it records", async () => {
    const { browser } = await signedIn(app, "admin");
    expect((await browser.post("/admin/equipe", { intent: "profile", site: "toulouse", profile: "alsace-moselle" })).status).toBe(200);
    expect((await first(app.db().select().from(sites).where(eq(sites.code, "toulouse"))))!.holidayProfile).toBe("alsace-moselle");
    const support = await signedIn(app, "support");
    const res = await support.browser.post("/admin/saisie", {
      channel: "mail",
      receivedAtLocal: instantToParisLocal(new Date(Date.now() - 3_600_000)),
      site: "toulouse",
      rights: ["access"],
      lastName: "Roux",
      firstName: "Anne",
      email: "anne.roux@example.fr",
      phone: "",
      details: "",
      verification: "code_email",
    });
    const reference = res.headers.get("location")!.match(/DSR-\d{4}-\d{6}/)![0];
    expect((await ticketRow(reference)).holidayProfile).toBe("alsace-moselle");
  });
});
