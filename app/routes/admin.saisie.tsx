import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AGENT_VERIFICATIONS as VERIFICATIONS, RIGHTS, SITES } from "../../db/schema/enums";
import { Fieldset, TextArea, TextField } from "../components/fields";
import { useT } from "../components/i18n";
import { AgentIntakeInput, recordRequest } from "../services/agent-intake.server";
import { requireRole } from "../services/authz";
import { DomainError, httpStatusOf } from "../services/errors";
import { instantToParisLocal } from "../utils/paris-time";
import { requireStaff } from "../web/staff-session.server";
import { formData } from "../web/form.server";

type Errors = Record<string, string>;

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    requireRole(ctx.actor, "agent", "support", "dpo");
  } catch {
    throw data({ code: "forbidden" }, { status: 403 });
  }
  return { now: instantToParisLocal(ctx.now), role: ctx.actor.role, site: ctx.actor.site };
}

export async function action({ request }: ActionFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const form = await formData(request);
  const raw = {
    channel: form.get("channel"),
    receivedAtLocal: form.get("receivedAtLocal"),
    site: form.get("site") ?? ctx.actor.site,
    rights: form.getAll("rights"),
    lastName: form.get("lastName") ?? "",
    firstName: form.get("firstName") ?? "",
    email: String(form.get("email") ?? "").trim(),
    phone: form.get("phone") ?? "",
    postalAddress: form.get("postalAddress") ?? "",
    postcode: form.get("postcode") ?? "",
    details: form.get("details") ?? "",
    verification: form.get("verification"),
  };
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v ?? "")]));
  const parsed = AgentIntakeInput.safeParse(raw);
  if (!parsed.success) {
    const errors: Errors = {};
    for (const i of parsed.error.issues) {
      const k = String(i.path[0] ?? "form");
      errors[k] ??= /^[a-z_]+$/.test(i.message) ? i.message : "invalid";
    }
    return data({ errors, values }, { status: 400 });
  }
  try {
    const { reference } = await recordRequest({ ctx, input: parsed.data });
    return redirect(`/admin/demandes/${reference}?fait=recorded`);
  } catch (error) {
    if (error instanceof DomainError && error.code === "forbidden") throw data({ code: "forbidden" }, { status: httpStatusOf(error.code) });
    if (error instanceof DomainError && error.code === "invalid_input") {
      return data({ errors: { [String(error.detail.field)]: String(error.detail.code ?? "invalid") } as Errors, values }, { status: httpStatusOf(error.code) });
    }
    throw error;
  }
}

export default function AgentIntake() {
  const t = useT();
  const adminT = useAdminT();
  const m = adminT.intake;
  const a = adminT;
  const { now, role, site } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Errors = result?.errors ?? {};
  const values = (result?.values ?? {}) as Record<string, string | string[]>;
  const v = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const err = (k: string) => (errors[k] ? (m.errors[errors[k]!] ?? m.errors.invalid) : undefined);
  const checkedRights = Array.isArray(values.rights) ? values.rights : [];
  return (
    <>
      <h1>{m.title}</h1>
      <p>{m.intro}</p>
      {Object.keys(errors).length ? (
        <p className="error-box" role="alert">
          {t.errorPage.badRequest}
        </p>
      ) : null}
      <Form method="post" noValidate>
        <div className="grid-2">
          <div>
            <div className={`field${errors.channel ? " has-error" : ""}`}>
              <label htmlFor="channel">{m.channel}</label>
              <select id="channel" name="channel" defaultValue={v("channel") ?? "phone"}>
                {(["phone", "mail", "email", "in_person"] as const).map((c) => (
                  <option key={c} value={c}>
                    {a.channels[c]}
                  </option>
                ))}
              </select>
            </div>
            <div className={`field${errors.receivedAtLocal ? " has-error" : ""}`}>
              <label htmlFor="receivedAtLocal">{m.receivedAt}</label>
              {err("receivedAtLocal") ? (
                <p className="field-error" id="receivedAtLocal-error">
                  {err("receivedAtLocal")}
                </p>
              ) : null}
              <input
                id="receivedAtLocal"
                name="receivedAtLocal"
                type="datetime-local"
                defaultValue={v("receivedAtLocal") ?? now}
                max={now}
                aria-required
                aria-invalid={errors.receivedAtLocal ? true : undefined}
                aria-describedby={errors.receivedAtLocal ? "receivedAtLocal-error" : undefined}
              />
            </div>
            {role === "agent" ? (
              <p>
                {m.site} {a.sites[site]}
                <input type="hidden" name="site" value={site} />
              </p>
            ) : (
              <div className="field">
                <label htmlFor="site">{m.site}</label>
                <select id="site" name="site" defaultValue={v("site") ?? site}>
                  {SITES.map((s) => (
                    <option key={s} value={s}>
                      {a.sites[s]}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </div>
          <Fieldset legend={m.identity} name="identity">
            <TextField name="lastName" label={m.lastName} error={err("lastName")} defaultValue={v("lastName")} required maxLength={100} />
            <TextField name="firstName" label={m.firstName} error={err("firstName")} defaultValue={v("firstName")} required maxLength={100} />
            <TextField name="email" type="email" label={m.email} error={err("email")} defaultValue={v("email")} maxLength={254} />
            <TextField name="phone" type="tel" label={m.phone} error={err("phone")} defaultValue={v("phone")} maxLength={40} />
            <TextArea name="postalAddress" label={m.postalAddress} error={err("postalAddress")} defaultValue={v("postalAddress")} maxLength={500} />
            <TextField name="postcode" label={m.postcode} error={err("postcode")} defaultValue={v("postcode")} maxLength={10} />
          </Fieldset>
        </div>
        <Fieldset legend={m.rights} name="rights" error={err("rights")}>
          {RIGHTS.map((r) => (
            <div className="choice" key={r}>
              <input type="checkbox" id={`rights-${r}`} name="rights" value={r} defaultChecked={checkedRights.includes(r)} />
              <label htmlFor={`rights-${r}`}>{t.rights[r]}</label>
            </div>
          ))}
        </Fieldset>
        <TextArea name="details" label={m.details} defaultValue={v("details")} maxLength={5000} />
        <Fieldset legend={m.verification} name="verification" hint={m.verificationHint} error={err("verification")}>
          {VERIFICATIONS.map((k) => (
            <div className="choice" key={k}>
              <input type="radio" id={`verification-${k}`} name="verification" value={k} defaultChecked={(v("verification") ?? "code_sms") === k} />
              <label htmlFor={`verification-${k}`}>{{ code_sms: m.codeSms, code_email: m.codeEmail, callback: m.callback, document: m.document, postal_code: m.postalCode }[k]}</label>
            </div>
          ))}
        </Fieldset>
        <button type="submit" className="button">
          {m.submit}
        </button>
      </Form>
    </>
  );
}
