import type { ServerBuild } from "@remix-run/node";
import { matchRoutes } from "@remix-run/react";

/**
 * What the express front decides before Remix runs (the CSRF rule, the body
 * cap) is decided on the route Remix itself will run, found the way Remix
 * finds it: the URL parsed as WHATWG does (dot segments resolved, `\` read as
 * `/`), single fetch's `.data` suffix removed, and the same `matchRoutes`,
 * which matches case-insensitively and after percent-decoding. Checking the
 * raw path instead let `/Admin/equipe` or `/%61dmin/equipe` past a
 * `startsWith("/admin")` while Remix ran the back office's action.
 */
export type RouteInfo = {
  /** the route ids Remix matches, root first (empty when the URL cannot be parsed) */
  ids: string[];
  /** a single-fetch request (`/x.data`, `/_root.data`): what the client-side router fetches */
  data: boolean;
  /** any back-office route, or a path that reads as /admin… once normalised (belt and braces) */
  backOffice: boolean;
  /** a machine endpoint under /api (bearer token, no cookies) */
  api: boolean;
  /** the request form, the one route that takes an upload (the mandate) */
  upload: boolean;
};

type RouteNode = { id: string; path?: string; index?: boolean; caseSensitive?: boolean; children: RouteNode[] };
type ManifestRoute = { id: string; parentId?: string; path?: string; index?: boolean; caseSensitive?: boolean };

const trees = new WeakMap<object, RouteNode[]>();

/** The route tree as Remix's server builds it from the manifest (server-runtime's createRoutes). */
function routeTree(build: ServerBuild): RouteNode[] {
  let tree = trees.get(build.routes);
  if (!tree) {
    const byParent = new Map<string, ManifestRoute[]>();
    for (const r of Object.values(build.routes) as ManifestRoute[]) {
      const key = r.parentId ?? "";
      byParent.set(key, [...(byParent.get(key) ?? []), r]);
    }
    const attach = (r: ManifestRoute): RouteNode => ({
      id: r.id,
      path: r.path,
      index: r.index,
      caseSensitive: r.caseSensitive,
      children: (byParent.get(r.id) ?? []).map(attach),
    });
    tree = (byParent.get("") ?? []).map(attach);
    trees.set(build.routes, tree);
  }
  return tree;
}

/**
 * The URL Remix is handed for this request target (the express adapter
 * prefixes the origin to `req.originalUrl`), or null for a target that is
 * not a path (absolute-form `http://…`, `*`).
 */
export function remixUrl(origin: string, originalUrl: string): URL | null {
  if (!originalUrl.startsWith("/")) return null;
  try {
    return new URL(`${origin}${originalUrl}`);
  } catch {
    return null;
  }
}

/** The path a route is matched on, and whether single fetch asked for it. */
export function routedPath(url: URL): { pathname: string; data: boolean } {
  if (!url.pathname.endsWith(".data")) return { pathname: url.pathname, data: false };
  return { pathname: url.pathname.replace(/\.data$/, "").replace(/^\/_root$/, "/"), data: true };
}

/** Lower-case, percent-decoded, slashes collapsed, no trailing slash: `//%41dmin/./x/` reads `/admin/x`. */
export function normalisedPath(pathname: string): string {
  let decoded = pathname;
  for (let i = 0; i < 3; i++) {
    try {
      const next = decodeURIComponent(decoded);
      if (next === decoded) break;
      decoded = next;
    } catch {
      break;
    }
  }
  const segments: string[] = [];
  for (const s of decoded.replace(/\\/g, "/").split("/")) {
    if (s === "" || s === ".") continue;
    if (s === "..") segments.pop();
    else segments.push(s);
  }
  return `/${segments.join("/")}`.toLowerCase();
}

export function routeInfo(build: ServerBuild, url: URL | null): RouteInfo {
  if (!url) return { ids: [], data: false, backOffice: false, api: false, upload: false };
  const { pathname, data } = routedPath(url);
  const ids = matchRoutes(routeTree(build) as Parameters<typeof matchRoutes>[0], pathname)?.map((m) => m.route.id as string) ?? [];
  const leaf = ids.at(-1) ?? "";
  const normalised = normalisedPath(pathname);
  return {
    ids,
    data,
    backOffice: ids.some((id) => id.startsWith("routes/admin")) || normalised.startsWith("/admin"),
    api: leaf.startsWith("routes/api."),
    upload: leaf === "routes/demande._index",
  };
}
