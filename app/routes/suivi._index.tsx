import { data, type ActionFunctionArgs } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { pageTitle } from "../utils/meta";
import { TextField } from "../components/fields";
import { useT } from "../components/i18n";
import { normalisePhone } from "../services/intake-input";
import * as requests from "../services/requests.server";
import { localeFrom } from "../utils/i18n.server";
import { clientIp, ctxFrom, enforceRateLimits, limits } from "../utils/request.server";
import { passThroughHeaders } from "../utils/headers";
import { formData } from "../utils/form.server";
import { grantClaimCookie } from "../utils/cookies.server";

export const meta = pageTitle((t) => t.follow.title, "follow");

const FollowForm = z.object({
  reference: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^DSR-\d{4}-\d{6}$/),
  contact: z.string().trim().min(3).max(254),
});

export const headers = passThroughHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const locale = localeFrom(request);
  const parsed = FollowForm.safeParse(Object.fromEntries(await formData(request)));
  const contactRaw = parsed.success ? parsed.data.contact : "";
  const phone = contactRaw.includes("@") ? null : normalisePhone(contactRaw);
  const contact: { email: string } | { phone: string } | null = contactRaw.includes("@") ? { email: contactRaw } : phone ? { phone } : null;
  if (!parsed.success || !contact) {
    return data(
      { sent: false, byPhone: false, errors: { reference: !parsed.success && parsed.error.issues.some((i) => i.path[0] === "reference"), contact: !contact } },
      { status: 400 },
    );
  }
  const ctx = ctxFrom();
  enforceRateLimits(
    ctx,
    [
      { bucket: "follow:ip", subject: clientIp(context), limit: limits().verify },
      { bucket: "follow:id", subject: "email" in contact ? requests.emailKey(contact.email) : requests.phoneKey(contact.phone), limit: 5 },
    ],
    locale,
  );
  requests.sendStatusLink({ ctx, reference: parsed.data.reference, contact });
  // Same words, and the same cookie, whether or not the pair exists (no
  // enumeration). A phone typed here may be one awaiting its SMS code: the
  // claim lets this browser enter the new code at /demande/envoyee.
  const byPhone = "phone" in contact;
  const headers = byPhone ? { "Set-Cookie": await grantClaimCookie({ reference: parsed.data.reference, phoneKey: requests.phoneKey(contact.phone) }) } : undefined;
  return data({ sent: true, byPhone, errors: { reference: false, contact: false } }, { headers });
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
          error={errors?.reference ? t.errors.invalid : undefined}
          autoComplete="off"
          required
          maxLength={20}
          autoFocus={Boolean(errors?.reference)}
        />
        <TextField
          name="contact"
          label={t.follow.contact}
          error={errors?.contact ? t.errors.contact_required : undefined}
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
