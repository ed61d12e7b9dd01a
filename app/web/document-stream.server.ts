import { Transform, type TransformCallback } from "node:stream";

const CLOSE = Buffer.from("</body></html>");

/**
 * Remix 2 renders its single-fetch data scripts (StreamTransfer) as a sibling
 * of the whole document, so React writes them after `</html>`, where HTML
 * allows nothing (the Nu checker: "Stray start tag script"). This stream holds
 * back the document's closing `</body></html>` and writes it last, so those
 * scripts end inside <body>, as a browser's parser would have put them. The
 * tags may arrive split across chunks: the tail that could start them is kept
 * until the next chunk.
 */
export function closeDocumentLast(): Transform {
  let pending = Buffer.alloc(0);
  let closed = false;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (closed) return done(null, chunk);
      const data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const at = data.indexOf(CLOSE);
      if (at >= 0) {
        closed = true;
        pending = Buffer.alloc(0);
        const after = data.subarray(at + CLOSE.length);
        return done(null, Buffer.concat([data.subarray(0, at), after]));
      }
      const keep = Math.min(CLOSE.length - 1, data.length);
      pending = Buffer.from(data.subarray(data.length - keep));
      done(null, data.subarray(0, data.length - keep));
    },
    flush(done: TransformCallback) {
      done(null, closed ? CLOSE : pending);
    },
  });
}
