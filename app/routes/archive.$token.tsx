import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useParams } from "@remix-run/react";
import { useT } from "../components/i18n";
import { downloadLinkIsUsable } from "../services/delivery.server";
import { db } from "../utils/db.server";
import { passThroughHeaders } from "../utils/headers";
import { pageTitle } from "../utils/meta";

export const meta = pageTitle((t) => t.status.downloadTitle);
export const headers = passThroughHeaders;

/** GET shows a button (mail scanners open links); the POST to /fichier spends the link. */
export async function loader({ params, request }: LoaderFunctionArgs) {
  const archiveId = Number(new URL(request.url).searchParams.get("a"));
  const usable = Number.isSafeInteger(archiveId) && (await downloadLinkIsUsable(db(), params.token ?? "", new Date()));
  return data({ usable, archiveId }, { status: usable ? 200 : 400, headers: { "Cache-Control": "no-store" } });
}

export default function Download() {
  const t = useT();
  const { usable, archiveId } = useLoaderData<typeof loader>();
  const { token } = useParams();
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
      <h1>{t.status.downloadTitle}</h1>
      <p>{t.status.downloadExplain}</p>
      {/* A plain form: the browser saves the file, no script involved. */}
      <form method="post" action={`/archive/${token}/fichier`}>
        <input type="hidden" name="a" value={archiveId} />
        <button type="submit" className="button">
          {t.status.downloadButton}
        </button>
      </form>
    </>
  );
}
