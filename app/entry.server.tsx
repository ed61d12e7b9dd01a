import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { rootData } from "./utils/root-data.server";
import { log } from "./utils/log.server";
import { redactPath } from "./utils/redact";
import { NonceProvider } from "./utils/nonce";
import { closeDocumentLast } from "./web/document-stream.server";

// The HTTP server (app/web/http.server.ts) starts these from the build, so the
// loops share this bundle's modules and database connection.
export { startWorkers } from "./services/workers.server";
export { env, resetEnvForTests } from "./utils/env.server";
export { closeDb, databaseReady } from "./utils/db.server";
export { connectors } from "./utils/connectors.server";
export { organisation } from "./utils/organisation.server";

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // The per-request nonce the express front named in Content-Security-Policy.
  const nonce = typeof loadContext.cspNonce === "string" ? loadContext.cspNonce : "";
  rootLocaleAlways(request, remixContext);
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider nonce={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce || undefined} />
      </NonceProvider>,
      {
        nonce: nonce || undefined,
        // The whole page before the first byte, for every visitor: no route
        // defers data, so streaming the shell early saved nothing, and this way
        // an error anywhere in the render is a 500, not a 200 cut short
        // (ADR 0017).
        onAllReady() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
          pipe(closeDocumentLast()).pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Only the error's class: messages can quote user input.
          if (shellRendered) log.error("render.error", { error: error instanceof Error ? error.name : "unknown" });
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

/**
 * When an action throws (a 429, a body that is not a form) or a route has no
 * action (405), Remix renders the root error boundary without running the
 * root loader, and the page would fall back to French whatever the visitor
 * chose. The root loader's data (the locale, from the request, and the site's
 * facts for the footer) needs nothing else: fill it in so the error page, its
 * <html lang>, its title and its footer are those of every other page.
 */
function rootLocaleAlways(request: Request, remixContext: EntryContext) {
  const loaderData = remixContext.staticHandlerContext.loaderData;
  if (!loaderData.root) loaderData.root = rootData(request);
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  const e = error instanceof Error ? error : new Error(String(error));
  log.error("request.error", {
    method: request.method,
    path: redactPath(new URL(request.url).pathname),
    error: e.name, message: process.env.TEST_LOG_LEVEL ? e.message : undefined,
    stack: e.stack?.split("\n").slice(1, 6).join(" | "),
  });
}
