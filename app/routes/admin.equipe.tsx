import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { HOLIDAY_PROFILES, ROLES, SITES } from "../../db/schema/enums";
import { IntentButton } from "../components/admin-bits";
import { TextField } from "../components/fields";
import { DomainError, httpStatusOf } from "../services/errors";
import { deactivateAccount, listAccounts, listSites, setHolidayProfile } from "../services/settings.server";
import { createStaff, NewStaff } from "../services/staff.server";
import { requireStaff, rethrowDomain } from "../web/staff-session.server";
import { formData } from "../web/form.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    return { accounts: await listAccounts(ctx), sites: await listSites(ctx), canEdit: ctx.actor.role === "admin" };
  } catch (error) {
    rethrowDomain(error);
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const form = await formData(request);
  const intent = form.get("intent");
  try {
    if (intent === "create") {
      const parsed = NewStaff.safeParse(Object.fromEntries(form));
      if (!parsed.success) return data({ error: "invalid_input" as const }, { status: 400 });
      const { oneTimePassword } = await createStaff({ ctx, input: parsed.data });
      return { created: oneTimePassword };
    }
    if (intent === "deactivate") {
      await deactivateAccount({ ctx, staffId: Number(form.get("staffId")) });
      return { saved: true as const };
    }
    if (intent === "profile") {
      await setHolidayProfile({ ctx, site: String(form.get("site")), profile: String(form.get("profile")) });
      return { saved: true as const };
    }
  } catch (error) {
    if (error instanceof DomainError && (error.code === "invalid_input" || error.code === "conflict")) {
      return data({ error: error.code }, { status: httpStatusOf(error.code) });
    }
    rethrowDomain(error);
  }
  return data({ error: "invalid_input" as const }, { status: 400 });
}

export default function Team() {
  const adminT = useAdminT();
  const a = adminT;
  const m = a.team;
  const { accounts, sites, canEdit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <h1>{m.title}</h1>
      {result && "created" in result ? (
        <p className="flash" role="status">
          {m.created(String(result.created))}
        </p>
      ) : null}
      {result && "saved" in result ? (
        <p className="flash" role="status">
          {m.saved}
        </p>
      ) : null}
      {result && "error" in result ? (
        <p className="error-box" role="alert">
          {a.errors[result.error] ?? a.errors.invalid_input}
        </p>
      ) : null}
      <section className="panel" aria-labelledby="accounts-title">
        <h2 id="accounts-title">{m.accounts}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{m.name}</th>
              <th scope="col">{m.email}</th>
              <th scope="col">{m.role}</th>
              <th scope="col">{m.site}</th>
              <th scope="col">{m.twoFactor}</th>
              <th scope="col">{m.state}</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((s) => (
              <tr key={s.id}>
                <th scope="row">{s.displayName}</th>
                <td>{s.email}</td>
                <td>{a.roles[s.role]}</td>
                <td>{a.sites[s.site]}</td>
                <td>{s.totpEnabled ? m.yes : m.no}</td>
                <td>
                  {s.active ? m.active : m.inactive}
                  {canEdit && s.active ? (
                    <IntentButton intent="deactivate" fields={{ staffId: String(s.id) }} label={m.deactivate} ariaLabel={`${m.deactivate} ${s.displayName}`} link />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {canEdit ? (
          <Form method="post">
            <h3>{m.create}</h3>
            <input type="hidden" name="intent" value="create" />
            <TextField name="email" type="email" label={m.email} required maxLength={254} />
            <TextField name="displayName" label={m.name} required maxLength={100} />
            <div className="field">
              <label htmlFor="role">{m.role}</label>
              <select id="role" name="role" defaultValue="support">
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {a.roles[r]}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="site">{m.site}</label>
              <select id="site" name="site" defaultValue="tours">
                {SITES.map((s) => (
                  <option key={s} value={s}>
                    {a.sites[s]}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button">
              {m.create}
            </button>
          </Form>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="sites-title">
        <h2 id="sites-title">{m.sites}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{m.site}</th>
              <th scope="col">{m.profile}</th>
            </tr>
          </thead>
          <tbody>
            {sites.map((s) => (
              <tr key={s.code}>
                <th scope="row">{a.sites[s.code]}</th>
                <td>
                  {canEdit ? (
                    <Form method="post" className="inline">
                      <input type="hidden" name="intent" value="profile" />
                      <input type="hidden" name="site" value={s.code} />
                      <label htmlFor={`profile-${s.code}`} className="visually-hidden">
                        {m.profile} — {a.sites[s.code]}
                      </label>
                      <select id={`profile-${s.code}`} name="profile" defaultValue={s.holidayProfile}>
                        {HOLIDAY_PROFILES.map((p) => (
                          <option key={p} value={p}>
                            {m.profiles[p]}
                          </option>
                        ))}
                      </select>{" "}
                      <button type="submit" className="button secondary">
                        {m.save}
                      </button>
                    </Form>
                  ) : (
                    m.profiles[s.holidayProfile]
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
