import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { pageTitle } from "../utils/meta";
import { TextArea } from "../components/fields";
import { useLocale, useT } from "../components/i18n";
import { DomainError } from "../services/errors";
import { replyLinkIsUsable, requesterReply } from "../services/tickets.server";
import { db } from "../utils/db.server";
import { passThroughHeaders } from "../utils/headers";
import { ctxFrom } from "../utils/request.server";
import { formData } from "../utils/form.server";

export const meta = pageTitle((t) => (t.langName === "Français" ? "Répondre à notre question" : "Answer our question"));

export const headers = passThroughHeaders;

/** The requester answers the DPO's question; the legal clock resumes. */
export async function loader({ params }: LoaderFunctionArgs) {
  const usable = replyLinkIsUsable(db(), params.token ?? "", new Date());
  return data({ usable }, { status: usable ? 200 : 400, headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const message = String((await formData(request)).get("message") ?? "");
  try {
    const r = requesterReply({ ctx: ctxFrom(), token: params.token ?? "", message });
    if (!r.ok) return data({ usable: false, error: null }, { status: 400 });
  } catch (error) {
    if (error instanceof DomainError) return data({ usable: true, error: "required" as const }, { status: 400 });
    throw error;
  }
  return redirect("/reponse/merci");
}

export default function Reply() {
  const t = useT();
  const locale = useLocale();
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const usable = acted ? acted.usable : loaded.usable;
  if (!usable) {
    return (
      <>
        <h1>{t.verify.invalidTitle}</h1>
        <p role="alert">{t.follow.expired}</p>
      </>
    );
  }
  return (
    <>
      <h1>{locale === "fr" ? "Répondre à notre question" : "Answer our question"}</h1>
      <Form method="post">
        <TextArea name="message" label={locale === "fr" ? "Votre réponse *" : "Your answer *"} maxLength={5000} error={acted?.error ? t.errors.required : undefined} />
        <button type="submit" className="button">
          {locale === "fr" ? "Envoyer ma réponse" : "Send my answer"}
        </button>
      </Form>
    </>
  );
}
