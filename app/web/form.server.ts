import { data } from "@remix-run/node";
import { localeFrom } from "../utils/i18n.server";

/**
 * The posted form, or a 400 when the body is not one: JSON, plain text, a
 * multipart body without its boundary or cut short. `request.formData()`
 * throws a TypeError on those, which Remix would turn into a 500; the error
 * boundary shows the 400 in the visitor's language instead.
 */
export async function formData(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    // The locale rides along: the root loader does not run when an action throws.
    throw data({ code: "invalid_input", locale: localeFrom(request) }, { status: 400 });
  }
}
