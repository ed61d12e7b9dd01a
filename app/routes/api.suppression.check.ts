import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { DomainError } from "../services/errors";
import { checkPhones, MAX_BATCH } from "../services/suppression.server";
import { apiJson, apiRefusal, readBodyLimited, suppressionApiAuth } from "../web/api-auth.server";
import { db } from "../utils/db.server";

/**
 * POST /api/suppression/check — for dialling campaigns (Art. 21).
 * `Authorization: Bearer <SUPPRESSION_API_TOKEN>`; body `{"phone": "..."}` →
 * `{"suppressed": bool}`, or `{"phones": [...]}` (at most MAX_BATCH) →
 * `{"suppressed": [bool, ...]}` in the same order. Bad input is a 400 with a
 * message; numbers never appear in an answer, a log or the audit trail.
 */
const MAX_BODY_BYTES = 128 * 1024;

const Body = z.union([
  z.strictObject({ phone: z.string().max(64) }),
  z.strictObject({ phones: z.array(z.string().max(64)).min(1).max(MAX_BATCH) }),
]);

const bad = (error: string, message: string, extra: Record<string, unknown> = {}) => apiJson({ error, message, ...extra }, 400);

export async function action({ request }: ActionFunctionArgs) {
  const auth = suppressionApiAuth(request);
  if (auth !== "ok") return apiRefusal(auth);
  if (request.method !== "POST") return apiJson({ error: "method_not_allowed", message: "Use POST." }, 405, { Allow: "POST" });
  const raw = await readBodyLimited(request, MAX_BODY_BYTES);
  if (raw === null) return apiJson({ error: "too_large", message: `The body must be at most ${MAX_BODY_BYTES} bytes.` }, 413);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return bad("invalid_json", "The body must be JSON.");
  }
  const parsed = Body.safeParse(json);
  if (!parsed.success) {
    return bad("invalid_body", `Send {"phone": "<number>"} or {"phones": ["<number>", ...]} with 1 to ${MAX_BATCH} numbers.`);
  }
  const single = "phone" in parsed.data;
  const phones = "phone" in parsed.data ? [parsed.data.phone] : parsed.data.phones;
  try {
    const result = await checkPhones({ ctx: { db: db(), now: new Date(), actor: { kind: "system" } }, phones, via: "api" });
    return apiJson({ suppressed: single ? result[0] : result });
  } catch (error) {
    if (error instanceof DomainError && error.code === "invalid_input") {
      const index = typeof error.detail.index === "number" ? error.detail.index : 0;
      // The position, not the value: the value may be a real person's number.
      return bad("phone_invalid", single ? "phone is not a phone number." : `phones[${index}] is not a phone number.`, single ? {} : { index });
    }
    throw error;
  }
}

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = suppressionApiAuth(request);
  if (auth !== "ok") return apiRefusal(auth);
  return apiJson({ error: "method_not_allowed", message: "Use POST." }, 405, { Allow: "POST" });
}
