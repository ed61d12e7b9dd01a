/**
 * A document of ours (a letter, a certificate) served as itself, not as an
 * app page: never cached, never sniffed, nothing in it runs. `download`
 * makes the browser save it under that name.
 */
export function documentResponse(html: string, opts: { download?: string } = {}): Response {
  return new Response(html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      ...(opts.download ? { "Content-Disposition": `attachment; filename="${opts.download}"` } : {}),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    },
  });
}

/** The same "not found" for every document route: it says nothing of what exists. */
export function documentNotFound(status = 404): Response {
  return new Response(status === 403 ? "Forbidden" : "Not found", { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}
