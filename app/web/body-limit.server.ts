import { createReadableStreamFromReadable } from "@remix-run/node";
import type { IncomingMessage } from "node:http";
import { Transform } from "node:stream";
import { env } from "../utils/env.server";

/**
 * Every request body has a ceiling, enforced by the express front before any
 * parser runs: a body declared larger is refused without reading a byte, and
 * one sent without a length (chunked) is counted as it arrives and cut at the
 * ceiling. Nothing ever buffers more than the ceiling, so a 100 MB form post
 * costs the server what a 1 MB one does.
 */
export class PayloadTooLarge extends Error {
  readonly status = 413;
  constructor() {
    super("request body over the limit");
    this.name = "PayloadTooLarge";
  }
}

/**
 * The ceiling for this request: BODY_MAX_BYTES for every form, JSON or
 * single-fetch body; the request form's multipart post may also carry the
 * mandate, whose own check (MANDATE_MAX_BYTES, app/web/upload.server.ts)
 * drains an oversized file up to four times its limit so the person keeps
 * what they typed.
 */
export function bodyLimit(opts: { upload: boolean; contentType: string | undefined }): number {
  const e = env();
  const multipart = /^multipart\/form-data/i.test(opts.contentType ?? "");
  return opts.upload && multipart ? e.BODY_MAX_BYTES + 4 * e.MANDATE_MAX_BYTES : e.BODY_MAX_BYTES;
}

/** A Content-Length over the ceiling: refused before reading (Node enforces the declared length). */
export function declaredOver(req: IncomingMessage, max: number): boolean {
  const declared = Number(req.headers["content-length"]);
  return Number.isFinite(declared) && declared > max;
}

/**
 * The request body as Remix reads it, counted chunk by chunk: past `max`
 * bytes the stream fails (the parser reading it gives up) and `onTooLarge`
 * runs once, while the rest is still on the wire.
 */
export function countedBody(req: IncomingMessage, max: number, onTooLarge: () => void): ReadableStream<Uint8Array> {
  let seen = 0;
  let over = false;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.byteLength;
      if (seen > max) {
        if (!over) {
          over = true;
          onTooLarge();
        }
        done(new PayloadTooLarge());
        return;
      }
      done(null, chunk);
    },
  });
  // The pump below hands the error to Remix; this keeps it from being "unhandled".
  counter.on("error", () => undefined);
  req.once("error", (error) => counter.destroy(error));
  req.pipe(counter);
  return createReadableStreamFromReadable(counter) as ReadableStream<Uint8Array>;
}
