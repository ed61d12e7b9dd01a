import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { ColumnHeads } from "../components/admin-bits";
import { TextArea, TextField } from "../components/fields";
import { useLocale } from "../components/i18n";
import { formatInstant } from "../i18n";
import { retentionMessages } from "../i18n/admin/retention";
import { DomainError, httpStatusOf } from "../services/errors";
import { holdsPage, liftHold, setHold } from "../services/retention.server";
import { connectors } from "../utils/connectors.server";
import { formData } from "../web/form.server";
import { requireStaff, rethrowDomain } from "../web/staff-session.server";

/** Litigation holds on recordings (OP-01): the DPO sets and lifts them, with a reason; every change audited. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    return await holdsPage({ ctx, registry: connectors() });
  } catch (error) {
    rethrowDomain(error);
  }
}

const SetInput = z.object({ connectorId: z.string().max(100), itemKey: z.string().max(200), reason: z.string().max(2000), reference: z.string().max(40).optional() });
const LiftInput = z.object({ holdId: z.coerce.number().int().positive(), liftReason: z.string().max(2000) });

export async function action({ request }: ActionFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const form = Object.fromEntries(await formData(request));
  try {
    if (form.intent === "set") {
      const parsed = SetInput.safeParse(form);
      if (!parsed.success) return data({ error: "invalid" }, { status: 400 });
      await setHold({ ctx, input: parsed.data, registry: connectors() });
    } else if (form.intent === "lift") {
      const parsed = LiftInput.safeParse(form);
      if (!parsed.success) return data({ error: "invalid" }, { status: 400 });
      await liftHold({ ctx, holdId: parsed.data.holdId, reason: parsed.data.liftReason });
    } else return data({ error: "invalid" }, { status: 400 });
  } catch (error) {
    if (error instanceof DomainError && error.code === "invalid_input") return data({ error: String(error.detail.field ?? "invalid") }, { status: httpStatusOf(error.code) });
    if (error instanceof DomainError && typeof error.detail.code === "string" && error.code !== "forbidden") return data({ error: error.detail.code }, { status: httpStatusOf(error.code) });
    rethrowDomain(error);
  }
  return redirect(`/admin/conservation?fait=${form.intent}`);
}

export default function Holds() {
  const locale = useLocale();
  const m = retentionMessages[locale];
  const { holds, sources } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const done = params.get("fait");
  const error = result && "error" in result ? (m.errors[result.error] ?? m.errors.invalid) : undefined;
  return (
    <>
      <h1>{m.title}</h1>
      <p>{m.intro}</p>
      {done === "set" || done === "lift" ? (
        <p className="notice" role="status">
          {m.done[done]}
        </p>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <section className="panel" aria-labelledby="hold-set-title">
        <h2 id="hold-set-title">{m.setTitle}</h2>
        {sources.length === 0 ? (
          // No system applies retention: nothing to choose, so no form (and no required <select> without options).
          <p>{m.noSource}</p>
        ) : (
          <>
            <p>{m.setIntro}</p>
            <Form method="post">
              <input type="hidden" name="intent" value="set" />
              <div className="field">
                <label htmlFor="connectorId">{m.connector}</label>
                <select id="connectorId" name="connectorId" required>
                  {sources.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.label}
                    </option>
                  ))}
                </select>
              </div>
              <TextField name="itemKey" label={m.recording} required maxLength={100} />
              <TextField name="reference" label={m.reference} maxLength={20} />
              <TextArea name="reason" label={m.reason} hint={m.reasonHint} required maxLength={1000} />
              <button type="submit" className="button">
                {m.set}
              </button>
            </Form>
          </>
        )}
      </section>
      <section className="panel" aria-labelledby="holds-title">
        <h2 id="holds-title">{m.listTitle}</h2>
        {holds.length === 0 ? (
          <p>{m.empty}</p>
        ) : (
          <table>
            <caption className="visually-hidden">{m.caption}</caption>
            <ColumnHeads cols={[m.columns.recording, m.columns.reference, m.columns.reason, m.columns.set, m.columns.state]} />
            <tbody>
              {holds.map((h) => (
                <tr key={h.id} data-hold={h.id} data-recording={h.itemKey} data-state={h.liftedAt ? "lifted" : "in_force"}>
                  <th scope="row">
                    {h.itemKey} <span className="muted">({h.connectorId})</span>
                  </th>
                  <td>{h.reference ?? "—"}</td>
                  <td>{h.reason}</td>
                  <td>{m.setOn(formatInstant(new Date(h.setAt), locale), h.setBy)}</td>
                  <td>
                    {h.liftedAt ? (
                      <>
                        {m.lifted(formatInstant(new Date(h.liftedAt), locale), h.liftedBy)}
                        {h.liftReason ? <p>{h.liftReason}</p> : null}
                      </>
                    ) : (
                      <>
                        <p>{m.inForce}</p>
                        <Form method="post" aria-label={m.liftLabel(h.itemKey)}>
                          <input type="hidden" name="intent" value="lift" />
                          <input type="hidden" name="holdId" value={h.id} />
                          <div className="field">
                            <label htmlFor={`lift-${h.id}`}>{m.liftReason}</label>
                            <textarea id={`lift-${h.id}`} name="liftReason" aria-required required maxLength={1000} />
                          </div>
                          <button type="submit" className="button secondary">
                            {m.lift}
                          </button>
                        </Form>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
