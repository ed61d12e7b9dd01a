import type { LoaderFunctionArgs } from "@remix-run/node";
import { DomainError, httpStatusOf } from "../services/errors";
import { exportJournal, parseJournalFilters, requireJournalReader } from "../services/journal.server";
import { localeFrom } from "../utils/i18n.server";
import { requireStaff } from "../web/staff-session.server";
import { csvDownload } from "../web/csv-download.server";

const ROWS_PER_CHUNK = 500;

function plain(status: number, text: string) {
  return new Response(`${text}\n`, { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}

/**
 * Resource route /admin/journal.csv: the journal with the page's filters, as
 * a CSV file streamed a few hundred rows at a time. Errors are plain-text
 * responses, as there is no page to render.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const { filters, invalid } = parseJournalFilters(new URL(request.url).searchParams);
  let exported: Awaited<ReturnType<typeof exportJournal>>;
  try {
    // Authorisation first: a refused export says nothing about the filters.
    requireJournalReader(ctx.actor);
    if (invalid.length) return plain(400, "Bad request");
    exported = (await exportJournal({ ctx, filters, locale: localeFrom(request) }));
  } catch (error) {
    if (error instanceof DomainError && error.code === "forbidden") return plain(httpStatusOf(error.code), "Forbidden");
    throw error;
  }
  const lines = exported.lines();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = "";
      for (let i = 0; i < ROWS_PER_CHUNK; i++) {
        const next = await lines.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += next.value;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    cancel() {
      void lines.return(undefined);
    },
  });
  return csvDownload(body, exported.filename);
}
