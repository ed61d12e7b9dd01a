import { unstable_parseMultipartFormData as parseMultipart } from "@remix-run/node";
import type { Mandate } from "../services/requests.server";

/**
 * Multipart parsing with limits on every part. An oversized file is drained
 * (up to a hard cap) instead of aborting, so the other fields survive and the
 * person sees one clear message instead of losing what they typed.
 */
export type UploadOutcome = { kind: "none" } | { kind: "ok"; mandate: Mandate } | { kind: "too_large" } | { kind: "bad_type" };
export class BodyTooLarge extends Error {}

const FIELD_LIMIT = 64 * 1024;
const MAX_PARTS = 64;

export async function parseIntakeBody(request: Request, maxFileBytes: number): Promise<{ form: FormData; upload: UploadOutcome }> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) {
    return { form: await request.formData(), upload: { kind: "none" } };
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
    const mimeType = sniff(bytes);
    upload = mimeType ? { kind: "ok", mandate: { bytes, mimeType } } : { kind: "bad_type" };
    return undefined;
  });
  return { form, upload };
}

/** The declared type and the file name are the sender's word; the bytes are not. */
export function sniff(bytes: Buffer): Mandate["mimeType"] | null {
  if (bytes.subarray(0, 5).toString("latin1") === "%PDF-") return "application/pdf";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  return null;
}
