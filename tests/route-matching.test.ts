import { matchRoutes, type AgnosticRouteObject } from "@remix-run/router";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

/**
 * Remix's route matching is patched (patches/@remix-run+router+*.patch, ADR
 * 0009) to rank the routes once and remember parameterless matches. The
 * server loads the CommonJS build, which is what these tests import.
 */
const require = createRequire(import.meta.url);

function routes(): AgnosticRouteObject[] {
  return [
    {
      id: "root",
      path: "/",
      children: [
        { id: "home", index: true },
        { id: "form", path: "demande" },
        { id: "sent", path: "demande/envoyee" },
        { id: "verify", path: "verification/:token" },
        { id: "admin", path: "admin", children: [{ id: "queue", index: true }, { id: "ticket", path: "demandes/:reference" }] },
        { id: "splat", path: "*" },
      ],
    },
  ];
}
const ids = (m: ReturnType<typeof matchRoutes>) => m?.map((x) => x.route.id);

describe("route matching, as patched", () => {
  it("is installed: npm install applied the patch to the build the server loads", () => {
    expect(readFileSync(require.resolve("@remix-run/router"), "utf8")).toContain("RightsDesk patch");
  });

  it("matches static, dynamic, nested and unknown paths as Remix ranks them, every time", () => {
    const r = routes();
    for (let i = 0; i < 3; i++) {
      expect(ids(matchRoutes(r, "/demande"))).toEqual(["root", "form"]);
      expect(ids(matchRoutes(r, "/demande/envoyee"))).toEqual(["root", "sent"]);
      expect(ids(matchRoutes(r, "/"))).toEqual(["root", "home"]);
      expect(ids(matchRoutes(r, "/admin"))).toEqual(["root", "admin", "queue"]);
      expect(matchRoutes(r, "/admin/demandes/DSR-2026-000042")?.at(-1)?.params).toEqual({ reference: "DSR-2026-000042" });
      expect(matchRoutes(r, "/verification/abc")?.at(-1)?.params).toEqual({ token: "abc" });
      expect(matchRoutes(r, "/verification/def")?.at(-1)?.params).toEqual({ token: "def" });
      expect(ids(matchRoutes(r, "/nowhere/at/all"))).toEqual(["root", "splat"]);
    }
  });

  it("hands each caller its own match objects, so one request cannot change the next one's", () => {
    const r = routes();
    const first = matchRoutes(r, "/demande")!;
    (first[1]!.params as Record<string, string>).injected = "x";
    first[1]!.pathname = "/changed";
    const second = matchRoutes(r, "/demande")!;
    expect(second[1]!.params).toEqual({});
    expect(second[1]!.pathname).toBe("/demande");
  });

  it("ranks a route list again when routes are added to it", () => {
    const r = routes();
    expect(ids(matchRoutes(r, "/nouveau"))).toEqual(["root", "splat"]);
    r.push({ id: "new", path: "/nouveau" });
    expect(ids(matchRoutes(r, "/nouveau"))).toEqual(["new"]);
  });
});
