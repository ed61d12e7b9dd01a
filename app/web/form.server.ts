import { data } from "@remix-run/node";
import { localeFrom } from "../utils/i18n.server";

/**
 * The posted form, or a 400 when the body is not one: JSON, plain text, a
 * multipart body without its boundary or cut short. `request.formData()`
 * throws a TypeError on those, which Remix would turn into a 500; the error
 * boundary shows the 400 in the visitor's language instead.
 */
export async function formData(request: Request): Promise<FormData> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw badForm(request);
  }
  return withoutNul(request, form);
}

/**
 * The form, or the same 400 when a field holds a NUL character: no field
 * means anything by one, and PostgreSQL refuses it in text (a 500 there,
 * where SQLite stored it).
 */
export function withoutNul(request: Request, form: FormData): FormData {
  for (const [, value] of form) if (typeof value === "string" && value.includes("\0")) throw badForm(request);
  return form;
}

function badForm(request: Request) {
  // The locale rides along: the root loader does not run when an action throws.
  return data({ code: "invalid_input", locale: localeFrom(request) }, { status: 400 });
}
