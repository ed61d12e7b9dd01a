import { unstable_parseMultipartFormData as parseMultipart } from "@remix-run/node";
import type { Mandate } from "../services/requests.server";
import { inspectMandate } from "../utils/mandate-file.server";
import { formData, withoutNul } from "./form.server";

/**
 * Multipart parsing with limits on every part. An oversized file is drained
 * (up to a hard cap) instead of aborting, so the other fields survive and the
 * person sees one clear message instead of losing what they typed.
 */
export type UploadOutcome =
  | { kind: "none" }
  | { kind: "ok"; mandate: Mandate }
  | { kind: "too_large" }
  /** not a PDF, JPEG or PNG; a polyglot (more than one type at once); a PDF with active content (`inspectMandate`) */
  | { kind: "bad_type" | "mixed_types" | "active_content" };
export class BodyTooLarge extends Error {}

const FIELD_LIMIT = 64 * 1024;
const MAX_PARTS = 64;

export async function parseIntakeBody(request: Request, maxFileBytes: number): Promise<{ form: FormData; upload: UploadOutcome }> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) {
    return { form: await formData(request), upload: { kind: "none" } };
  }
  let upload: UploadOutcome = { kind: "none" };
  let parts = 0;
  const form = await parseMultipart(request, async ({ name, filename, data }) => {
    if (++parts > MAX_PARTS) throw new BodyTooLarge("too many parts");
    const isFile = typeof filename === "string";
    const limit = isFile ? maxFileBytes : FIELD_LIMIT;
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of data) {
      size += chunk.byteLength;
      if (size > limit * 4 + FIELD_LIMIT) throw new BodyTooLarge("part over hard cap");
      if (size <= limit) chunks.push(chunk);
    }
    if (!isFile) {
      if (size > limit) throw new BodyTooLarge("field too large");
      return new TextDecoder().decode(Buffer.concat(chunks));
    }
    if (name !== "mandate" || size === 0) return undefined;
    if (size > limit) {
      upload = { kind: "too_large" };
      return undefined;
    }
    const bytes = Buffer.concat(chunks);
    const inspection = inspectMandate(bytes);
    upload = inspection.ok ? { kind: "ok", mandate: { bytes, mimeType: inspection.mimeType } } : { kind: inspection.reason };
    return undefined;
  });
  return { form: withoutNul(request, form), upload };
}
