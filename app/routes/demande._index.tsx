import { data, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSubmit } from "@remix-run/react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { pageTitle } from "../utils/meta";
import { RIGHTS } from "../../db/schema/enums";
import { Fieldset, FieldMessages, TextArea, TextField } from "../components/fields";
import { useT } from "../components/i18n";
import { fieldErrors, IntakeInput, intakeFromForm, type FieldErrors } from "../services/intake-input";
import { INTAKE_FIELDS, type IntakeField } from "../services/intake-fields";
import * as requests from "../services/requests.server";
import { grantCookie } from "../utils/cookies.server";
import { env } from "../utils/env.server";
import { localeFrom } from "../utils/i18n.server";
import { clientIp, ctxFrom, limits, withinRateLimits } from "../web/request.server";
import { BodyTooLarge, parseIntakeBody } from "../web/upload.server";
import { passThroughHeaders } from "../utils/headers";

export const meta = pageTitle((t) => t.form.title, "form");

export async function loader() {
  return { maxMandateBytes: env().MANDATE_MAX_BYTES };
}

type Values = Partial<Record<IntakeField, string | string[] | boolean>>;

export const headers = passThroughHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const locale = localeFrom(request);
  const e = env();
  let parsedBody;
  try {
    parsedBody = await parseIntakeBody(request, e.MANDATE_MAX_BYTES);
  } catch (error) {
    const status = error instanceof BodyTooLarge ? 413 : 400;
    return data({ errors: { rights: status === 413 ? "too_long" : "form_unreadable" } as FieldErrors, values: {} as Values }, { status });
  }
  const { form, upload } = parsedBody;
  const raw = intakeFromForm(form);
  const parsed = IntakeInput.safeParse(raw);
  const errors: FieldErrors = parsed.success ? {} : fieldErrors(parsed.error);
  const onBehalf = raw.onBehalf === "other";
  if (onBehalf) {
    if (upload.kind === "none") errors.mandate = "mandate_required";
    if (upload.kind === "too_large") errors.mandate = "mandate_size";
    if (upload.kind === "bad_type") errors.mandate = "mandate_type";
    if (upload.kind === "mixed_types") errors.mandate = "mandate_mixed";
    if (upload.kind === "active_content") errors.mandate = "mandate_active";
  }
  const values: Values = { ...raw, verificationMethod: raw.verificationMethod ?? "" };
  if (!parsed.success || Object.keys(errors).length > 0) {
    return data({ errors, values }, { status: 400 });
  }
  const ctx = ctxFrom();
  const input = parsed.data;
  const ip = clientIp(context);
  // The counters and the filing are one commit (shared with the filings of
  // the same moment); `file` runs inside it.
  const filed = await withinRateLimits(
    ctx,
    [
      { bucket: "file:ip", subject: ip, limit: limits().filing },
      ...(input.email ? [{ bucket: "file:id", subject: requests.emailKey(input.email), limit: 5 }] : []),
      ...(input.phone ? [{ bucket: "file:id", subject: requests.phoneKey(input.phone), limit: 5 }] : []),
    ],
    locale,
    async () => await requests.file({ ctx, input, locale, mandate: onBehalf && upload.kind === "ok" ? upload.mandate : null }),
  );
  // The reference and the SMS-code form are found through a signed cookie:
  // nothing about the request travels in the URL.
  return redirect("/demande/envoyee", { headers: { "Set-Cookie": await grantCookie("pending", filed.id) } });
}

const ERROR_ORDER: IntakeField[] = [...INTAKE_FIELDS];

function focusTarget(field: IntakeField): string {
  if (field === "rights") return "rights-access";
  if (field === "onBehalf") return "onBehalf-self";
  if (field === "verificationMethod") return "verificationMethod-email";
  if (field === "mandateAnswerTo") return "mandateAnswerTo-representative";
  return field;
}

export default function NewRequest() {
  const t = useT();
  const actionData = useActionData<typeof action>();
  const { maxMandateBytes } = useLoaderData<typeof loader>();
  const maxSize = t.megabytes(maxMandateBytes / (1024 * 1024));
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  // Without JavaScript every field stays visible; once hydrated, the optional
  // groups show only when they apply.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const errors: FieldErrors = clientErrors ?? actionData?.errors ?? {};
  const values: Values = actionData?.values ?? {};
  const [onBehalf, setOnBehalf] = useState(values.onBehalf === "other");
  const [rights, setRights] = useState<string[]>(Array.isArray(values.rights) ? values.rights : []);
  const formRef = useRef<HTMLFormElement>(null);
  const submit = useSubmit();
  // The browser runs the server's own checks (zod and the phone-number
  // metadata, most of this page's script) but fetches them only once the
  // person starts filling the form, not with the page (docs/benchmarks.md,
  // "Page weight"). Without JavaScript, or if they fail to load, the server
  // checks alone answer.
  const checks = useRef<Promise<typeof import("../services/intake-input") | null> | null>(null);
  const loadChecks = () => (checks.current ??= import("../services/intake-input").catch(() => null));
  const errorList = ERROR_ORDER.filter((f) => errors[f]);
  const message = (f: IntakeField) => {
    const key = errors[f];
    if (!key) return undefined;
    if (key === "mandate_size") return t.errors.mandate_size(maxSize);
    return t.errors[key];
  };

  // RGAA 11.10: after a failed submission, focus goes to the first field in error.
  useEffect(() => {
    const first = errorList[0];
    if (first) document.getElementById(focusTarget(first))?.focus();
  }, [actionData, clientErrors]);

  function validate(event: FormEvent<HTMLFormElement>) {
    const element = event.currentTarget;
    event.preventDefault();
    void loadChecks().then((loaded) => {
      const found = loaded ? findErrors(loaded, new FormData(element)) : {};
      if (Object.keys(found).length > 0) setClientErrors(found);
      else {
        setClientErrors(null);
        submit(element);
      }
    });
  }

  function findErrors(checks: typeof import("../services/intake-input"), form: FormData): FieldErrors {
    const raw = checks.intakeFromForm(form);
    const result = checks.IntakeInput.safeParse(raw);
    const found: FieldErrors = result.success ? {} : checks.fieldErrors(result.error);
    if (raw.onBehalf === "other") {
      const file = form.get("mandate");
      if (!(file instanceof File) || file.size === 0) found.mandate = "mandate_required";
      else if (file.size > maxMandateBytes) found.mandate = "mandate_size";
      else if (!["application/pdf", "image/jpeg", "image/png"].includes(file.type)) found.mandate = "mandate_type";
    }
    return found;
  }

  const fieldName = (f: IntakeField): string => {
    const labels: Record<IntakeField, string> = {
      rights: t.form.rightsLegend,
      lastName: t.form.lastName,
      firstName: t.form.firstName,
      email: t.form.email,
      phone: t.form.phone,
      verificationMethod: t.form.methodLegend,
      onBehalf: t.form.behalfLegend,
      subjectLastName: t.form.subjectLastName,
      subjectFirstName: t.form.subjectFirstName,
      subjectEmail: t.form.subjectEmail,
      subjectPhone: t.form.subjectPhone,
      mandateUntil: t.form.mandateUntil,
      mandateScope: t.form.mandateScope,
      mandateAnswerTo: t.form.mandateAnswerTo,
      mandate: t.form.mandate,
      details: t.form.details,
      rectificationWrong: t.form.rectificationWrong,
      rectificationCorrect: t.form.rectificationCorrect,
      contactConsent: t.form.consent,
    };
    return labels[f].replace(/\s*\*$/, "").replace(/\s*\?$/, "");
  };
  const str = (f: IntakeField) => (typeof values[f] === "string" ? (values[f] as string) : undefined);

  return (
    <>
      <h1>{t.form.title}</h1>
      <p>{t.form.intro}</p>
      {errorList.length > 0 ? (
        <div className="error-summary" role="alert" aria-labelledby="error-summary-title">
          <h2 id="error-summary-title">{t.form.errorSummary(errorList.length)}</h2>
          <ul>
            {errorList.map((f) => (
              <li key={f}>
                <a href={`#${focusTarget(f)}`}>
                  {fieldName(f)}
                  {t.langName === "Français" ? " : " : ": "}
                  {message(f)}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <Form method="post" encType="multipart/form-data" noValidate ref={formRef} onSubmit={validate} onFocus={loadChecks}>
        <Fieldset legend={t.form.rightsLegend} name="rights" hint={t.form.rightsHint} error={message("rights")}>
          {RIGHTS.map((r) => (
            <div className="choice" key={r}>
              <input
                type="checkbox"
                id={`rights-${r}`}
                name="rights"
                value={r}
                defaultChecked={rights.includes(r)}
                onChange={(ev) => setRights((prev) => (ev.target.checked ? [...prev, r] : prev.filter((x) => x !== r)))}
                aria-describedby={`rights-${r}-help`}
              />
              <div>
                <label htmlFor={`rights-${r}`}>{t.rights[r]}</label>
                <p className="hint" id={`rights-${r}-help`}>
                  {t.rightsHelp[r]}
                </p>
              </div>
            </div>
          ))}
        </Fieldset>

        <div hidden={hydrated && !rights.includes("rectification")}>
          <Fieldset legend={t.form.rectificationLegend} name="rectification">
            <TextArea name="rectificationWrong" label={t.form.rectificationWrong} error={message("rectificationWrong")} defaultValue={str("rectificationWrong")} maxLength={1000} />
            <TextArea name="rectificationCorrect" label={t.form.rectificationCorrect} error={message("rectificationCorrect")} defaultValue={str("rectificationCorrect")} maxLength={1000} />
          </Fieldset>
        </div>

        <Fieldset legend={t.form.identityLegend} name="identity">
          <TextField name="lastName" label={t.form.lastName} error={message("lastName")} defaultValue={str("lastName")} autoComplete="family-name" required maxLength={100} />
          <TextField name="firstName" label={t.form.firstName} error={message("firstName")} defaultValue={str("firstName")} autoComplete="given-name" required maxLength={100} />
        </Fieldset>

        <Fieldset legend={t.form.contactLegend} name="contact" hint={t.form.contactHint}>
          <TextField name="email" type="email" label={t.form.email} hint={t.form.emailHint} error={message("email")} defaultValue={str("email")} autoComplete="email" inputMode="email" maxLength={254} />
          <TextField name="phone" type="tel" label={t.form.phone} hint={t.form.phoneHint} error={message("phone")} defaultValue={str("phone")} autoComplete="tel" inputMode="tel" maxLength={40} />
          <Fieldset legend={t.form.methodLegend} name="verificationMethod" error={message("verificationMethod")}>
            {(["email", "sms"] as const).map((m) => (
              <div className="choice" key={m}>
                <input type="radio" id={`verificationMethod-${m}`} name="verificationMethod" value={m} defaultChecked={str("verificationMethod") ? str("verificationMethod") === m : m === "email"} />
                <label htmlFor={`verificationMethod-${m}`}>{m === "email" ? t.form.methodEmail : t.form.methodSms}</label>
              </div>
            ))}
          </Fieldset>
        </Fieldset>

        <Fieldset legend={t.form.behalfLegend} name="onBehalf" error={message("onBehalf")}>
          {(["self", "other"] as const).map((v) => (
            <div className="choice" key={v}>
              <input type="radio" id={`onBehalf-${v}`} name="onBehalf" value={v} defaultChecked={(values.onBehalf ?? "self") === v} onChange={() => setOnBehalf(v === "other")} />
              <label htmlFor={`onBehalf-${v}`}>{v === "self" ? t.form.behalfSelf : t.form.behalfOther}</label>
            </div>
          ))}
          <div hidden={hydrated && !onBehalf} id="representative-fields">
            <TextField name="subjectLastName" label={t.form.subjectLastName} error={message("subjectLastName")} defaultValue={str("subjectLastName")} maxLength={100} />
            <TextField name="subjectFirstName" label={t.form.subjectFirstName} error={message("subjectFirstName")} defaultValue={str("subjectFirstName")} maxLength={100} />
            <p className="hint" id="subject-contact-hint">
              {t.form.subjectContactHint}
            </p>
            <TextField name="subjectEmail" type="email" label={t.form.subjectEmail} error={message("subjectEmail")} defaultValue={str("subjectEmail")} inputMode="email" maxLength={254} />
            <TextField name="subjectPhone" type="tel" label={t.form.subjectPhone} error={message("subjectPhone")} defaultValue={str("subjectPhone")} inputMode="tel" maxLength={40} />
            <TextField name="mandateUntil" type="date" label={t.form.mandateUntil} hint={t.form.mandateUntilHint} error={message("mandateUntil")} defaultValue={str("mandateUntil")} />
            <TextArea name="mandateScope" label={t.form.mandateScope} hint={t.form.mandateScopeHint} error={message("mandateScope")} defaultValue={str("mandateScope")} maxLength={1000} />
            <Fieldset legend={t.form.mandateAnswerTo} name="mandateAnswerTo" error={message("mandateAnswerTo")}>
              {(["representative", "subject"] as const).map((v) => (
                <div className="choice" key={v}>
                  <input type="radio" id={`mandateAnswerTo-${v}`} name="mandateAnswerTo" value={v} defaultChecked={(str("mandateAnswerTo") ?? "representative") === v} />
                  <label htmlFor={`mandateAnswerTo-${v}`}>{v === "representative" ? t.form.mandateAnswerRepresentative : t.form.mandateAnswerSubject}</label>
                </div>
              ))}
            </Fieldset>
            <div className={`field${errors.mandate ? " has-error" : ""}`}>
              <label htmlFor="mandate">{t.form.mandate}</label>
              <FieldMessages name="mandate" hint={t.form.mandateHint(maxSize)} error={message("mandate")} />
              <input
                type="file"
                id="mandate"
                name="mandate"
                accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
                aria-invalid={errors.mandate ? true : undefined}
                aria-describedby={["mandate-hint", errors.mandate ? "mandate-error" : null].filter(Boolean).join(" ")}
              />
            </div>
          </div>
        </Fieldset>

        <TextArea name="details" label={t.form.details} hint={t.form.detailsHint} error={message("details")} defaultValue={str("details")} maxLength={5000} />

        <div className="choice field">
          <input type="checkbox" id="contactConsent" name="contactConsent" defaultChecked={values.contactConsent === true} />
          <label htmlFor="contactConsent">{t.form.consent}</label>
        </div>

        <p className="hint">
          {t.form.privacy} <Link to="/confidentialite">{t.form.privacyLink}</Link>
        </p>
        <button type="submit" className="button">
          {t.form.submit}
        </button>
      </Form>
    </>
  );
}
