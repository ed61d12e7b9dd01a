import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumPresent, demoSite } from "../helpers/browser";

/**
 * The queue in Chromium (issue 16, item 5): its deadline counters filter it,
 * references stay on one line, the header holds at 1366 px, and on a phone
 * only the table scrolls sideways, inside its own region.
 */
const site = demoSite();
const { check, signIn } = site;

const COUNTERS = ["En retard", "Échéance sous 7 jours", "Délai suspendu"] as const;
const MARKER = { "En retard": "overdue", "Échéance sous 7 jours": "soon", "Délai suspendu": "paused" } as const;

async function queueRows(page: Page) {
  return page.locator("table.queue-table tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-marker")));
}

describe.skipIf(!chromiumPresent)("the queue in a real browser", { timeout: 120_000 }, () => {
  it("filters on each deadline counter, and the filter can be removed", async () => {
    const page = await signIn("dpo", { width: 1366, height: 768 });
    await page.goto(`${site.base}/admin`);
    const all = (await queueRows(page)).length;
    expect(all).toBeGreaterThan(2);
    for (const label of COUNTERS) {
      const link = page.getByRole("link", { name: new RegExp(`^${label} : \\d+ — afficher ces demandes$`) });
      const name = (await link.getAttribute("aria-label"))!;
      const n = Number(/: (\d+) —/.exec(name)![1]);
      await link.click();
      await page.waitForURL((u) => u.searchParams.get("due") === MARKER[label]);
      await page.getByText(`Filtre actif : ${label}.`).waitFor();
      const rows = await queueRows(page);
      expect(rows.length, label).toBe(n);
      expect(
        rows.every((m) => m === MARKER[label]),
        label
      ).toBe(true);
      await check(page, `q-filter-${MARKER[label]}`);
      await page.getByRole("link", { name: `Retirer le filtre « ${label} »` }).click();
      await page.waitForURL((u) => !u.searchParams.has("due"));
      await expect.poll(async () => (await queueRows(page)).length, { message: `${label} removed` }).toBe(all);
    }
    await page.context().close();
  });

  it("keeps references on one line and the header on one row of sections at 1366 px", async () => {
    const page = await signIn("dpo", { width: 1366, height: 768 });
    await page.goto(`${site.base}/admin?status=all`);
    await check(page, "q-queue-1366");
    // One line box per reference: "DSR-2026-/000015" broken over two lines would give two.
    const lines = await page.locator("table.queue-table th.ref a").evaluateAll((as) => as.map((a) => a.getClientRects().length));
    expect(lines.length).toBeGreaterThan(2);
    expect(new Set(lines)).toEqual(new Set([1]));
    const heights = await page
      .locator("table.queue-table th.ref a")
      .evaluateAll((as) => as.map((a) => a.getBoundingClientRect().height / parseFloat(getComputedStyle(a).lineHeight)));
    for (const h of heights) expect(h, "a reference's height in lines").toBeLessThan(1.5);
    // The sections share one row; the header is two rows by design (who and sign-out, then sections).
    const tops = await page.locator("nav.sections li").evaluateAll((lis) => lis.map((li) => Math.round(li.getBoundingClientRect().top)));
    expect(tops.length).toBeGreaterThanOrEqual(8);
    expect(new Set(tops).size, `nav item tops ${tops}`).toBe(1);
    const first = await page
      .locator(".admin-header .header-row > *")
      .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)));
    expect(Math.max(...first) - Math.min(...first), "the first row holds on one line").toBeLessThan(12);
    const header = await page.locator("header.admin-header").boundingBox();
    expect(header!.height).toBeLessThan(130);
    // English labels are longer: they hold too.
    await page.goto(`${site.base}/langue?to=en&back=/admin`);
    const enTops = await page.locator("nav.sections li").evaluateAll((lis) => lis.map((li) => Math.round(li.getBoundingClientRect().top)));
    expect(new Set(enTops).size, `English nav item tops ${enTops}`).toBe(1);
    await check(page, "q-queue-1366-en", "en");
    await page.context().close();
  });

  it("on a 375 px phone only the table scrolls sideways, inside a region a keyboard can scroll", async () => {
    const page = await signIn("dpo", { width: 375, height: 812 });
    await page.goto(`${site.base}/admin?status=all`);
    await check(page, "q-queue-375");
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    expect(await width()).toBeLessThanOrEqual(375);
    const region = page.getByRole("region", { name: "Tableau des demandes (défilement horizontal)" });
    const sizes = await region.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(sizes.scroll).toBeGreaterThan(sizes.client);
    // Tab to the region and scroll it with the arrow keys.
    await region.focus();
    expect(await region.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("End");
    await expect.poll(() => region.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);

    const href = await page.locator("table.queue-table th.ref a").first().getAttribute("href");
    await page.goto(`${site.base}${href}`);
    await check(page, "q-ticket-375");
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > 376 && ![...e.children].some((c) => c.getBoundingClientRect().right > 376))
        .filter((e) => !e.closest("[role=region], .table-scroll"))
        .slice(0, 8)
        .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}: ${(e.textContent ?? "").slice(0, 40)}`)
    );
    expect(await width(), `the ticket page; too wide: ${wide.join(" | ")}`).toBeLessThanOrEqual(375);
    await page.context().close();
  });
});
