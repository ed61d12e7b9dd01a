import type { ActionFunctionArgs } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { openDownload } from "../services/delivery.server";
import { ctxFrom } from "../web/request.server";
import { formData } from "../web/form.server";

/** Resource route: streams the decrypted archive, once per download link. */
export async function action({ params, request }: ActionFunctionArgs) {
  const archiveId = Number((await formData(request)).get("a"));
  const opened = Number.isSafeInteger(archiveId) ? (await openDownload({ ctx: ctxFrom(), token: params.token ?? "", archiveId })) : null;
  if (!opened) {
    return new Response("Ce lien de téléchargement est invalide, déjà utilisé ou expiré. / This download link is invalid, used or expired.", {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  const name = `${opened.reference}-${opened.archive.kind === "access" ? "acces" : "portabilite"}.zip`;
  return new Response(createReadableStreamFromReadable(opened.stream), {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Content-Length": String(opened.archive.bytes),
      "Cache-Control": "no-store",
    },
  });
}
