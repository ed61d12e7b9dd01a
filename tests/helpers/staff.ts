import { expect } from "vitest";
import type { Role, Site } from "../../db/schema/enums";
import { createStaff } from "../../app/services/staff.server";
import { db } from "../../app/utils/db.server";
import type { Browser, TestApp } from "./app";

let counter = 0;

/** Creates a staff account with a known password (no forced change) and signs a browser in over HTTP. */
export async function signedIn(app: Pick<TestApp, "browser">, role: Role, site: Site = "tours"): Promise<{ browser: Browser; id: number; email: string }> {
  const email = `${role}.${site}.${++counter}@centrecall.example`;
  const password = "correct horse battery staple";
  const { staff } = await createStaff({
    ctx: { db: db(), now: new Date(), actor: { kind: "system" } },
    input: { email, displayName: `${role} ${site} ${counter}`, role, site },
    password,
  });
  const browser = app.browser();
  const res = await browser.post("/admin/connexion", { email, password });
  expect(res.status).toBe(302);
  return { browser, id: staff.id, email };
}
