import { data, type ActionFunctionArgs } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { pageTitle } from "../utils/meta";
import { TextField } from "../components/fields";
import { useT } from "../components/i18n";
import { normalisePhone } from "../services/intake-input";
import * as requests from "../services/requests.server";
import { localeFrom } from "../utils/i18n.server";
import { clientIp, ctxFrom, enforceRateLimits, limits } from "../web/request.server";
import { passThroughHeaders } from "../utils/headers";
import { formData } from "../web/form.server";
import { grantClaimCookie } from "../utils/cookies.server";

export const meta = pageTitle((t) => t.follow.title, "follow");

/**
 * Each field is checked on its own, so a wrong reference never flags a right
 * contact; each error code names its own message (no "invalid value").
 */
const Reference = z.string().trim().toUpperCase().min(1, "reference_required").regex(/^DSR-\d{4}-\d{6}$/, "reference_invalid");
const Contact = z.string().trim().min(1, "contact_required").max(254, "contact_invalid");
type FieldError = "reference_required" | "reference_invalid" | "contact_required" | "contact_invalid";

function fieldError(result: z.ZodSafeParseResult<string>): FieldError | null {
  return result.success ? null : ((result.error.issues[0]?.message as FieldError | undefined) ?? null);
}

export const headers = passThroughHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const locale = localeFrom(request);
  const form = await formData(request);
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
  const reference = Reference.safeParse(text("reference"));
  const contactParsed = Contact.safeParse(text("contact"));
  const contactRaw = contactParsed.success ? contactParsed.data : "";
  const isEmail = contactRaw.includes("@");
  const phone = isEmail ? null : normalisePhone(contactRaw);
  const contact: { email: string } | { phone: string } | null = isEmail
    ? /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contactRaw)
      ? { email: contactRaw }
      : null
    : phone
      ? { phone }
      : null;
  const contactError: FieldError | null = fieldError(contactParsed) ?? (contact ? null : "contact_invalid");
  if (!reference.success || !contact) {
    // What was typed stays in the fields (a form without JavaScript is answered by a new page).
    const values = { reference: text("reference").slice(0, 20), contact: text("contact").slice(0, 254) };
    return data({ sent: false, byPhone: false, errors: { reference: fieldError(reference), contact: contactError }, values }, { status: 400 });
  }
  const ctx = ctxFrom();
  await enforceRateLimits(
    ctx,
    [
      { bucket: "follow:ip", subject: clientIp(context), limit: limits().verify },
      { bucket: "follow:id", subject: "email" in contact ? requests.emailKey(contact.email) : requests.phoneKey(contact.phone), limit: 5 },
    ],
    locale,
  );
  await requests.sendStatusLink({ ctx, reference: reference.data, contact });
  // Same words, and the same cookie, whether or not the pair exists (no
  // enumeration). A phone typed here may be one awaiting its SMS code: the
  // claim lets this browser enter the new code at /demande/envoyee.
  const byPhone = "phone" in contact;
  const headers = byPhone ? { "Set-Cookie": await grantClaimCookie({ reference: reference.data, phoneKey: requests.phoneKey(contact.phone) }) } : undefined;
  return data({ sent: true, byPhone, errors: { reference: null, contact: null }, values: { reference: "", contact: "" } }, { headers });
}

export default function Follow() {
  const t = useT();
  const result = useActionData<typeof action>();
  if (result?.sent) {
    return (
      <>
        <h1>{t.follow.sentTitle}</h1>
        <p role="status">{t.follow.sent}</p>
        {result.byPhone ? (
          <>
            <p>{t.follow.sentCode}</p>
            <p>
              <a className="button" href="/demande/envoyee">
                {t.follow.enterCode}
              </a>
            </p>
          </>
        ) : (
          <p>{t.follow.sentLink}</p>
        )}
      </>
    );
  }
  const errors = result?.errors;
  return (
    <>
      <h1>{t.follow.title}</h1>
      <p>{t.follow.intro}</p>
      <Form method="post" noValidate>
        <TextField
          name="reference"
          label={t.follow.reference}
          hint={t.follow.referenceHint}
          error={errors?.reference ? t.follow.errors[errors.reference] : undefined}
          defaultValue={result?.values.reference}
          autoComplete="off"
          required
          maxLength={20}
          autoFocus={Boolean(errors?.reference)}
        />
        <TextField
          name="contact"
          label={t.follow.contact}
          error={errors?.contact ? t.follow.errors[errors.contact] : undefined}
          defaultValue={result?.values.contact}
          autoComplete="email"
          required
          maxLength={254}
          autoFocus={Boolean(errors?.contact && !errors?.reference)}
        />
        <button type="submit" className="button">
          {t.follow.submit}
        </button>
      </Form>
    </>
  );
}
