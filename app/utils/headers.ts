import type { HeadersFunction } from "@remix-run/node";

/**
 * Remix builds a document's headers from the route's `headers` export; this
 * one keeps what the action, loader or thrown response set (Retry-After on a
 * 429, Cache-Control: no-store on token pages).
 */
export const passThroughHeaders: HeadersFunction = ({ errorHeaders, actionHeaders, loaderHeaders }) => {
  const out = new Headers();
  for (const source of [loaderHeaders, actionHeaders, errorHeaders]) {
    source?.forEach((value, key) => {
      if (key.toLowerCase() !== "set-cookie") out.set(key, value);
    });
  }
  return out;
};
