import type { Locale } from "../db/schema/enums";

export type Rendered = { subject: string; text: string; html: string };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const FOOTER: Record<Locale, string> = {
  fr: "CentreCall — Délégué à la protection des données — dpo@centrecall.example\nVous pouvez introduire une réclamation auprès de la CNIL (www.cnil.fr).",
  en: "CentreCall — Data protection officer — dpo@centrecall.example\nYou may lodge a complaint with the CNIL (www.cnil.fr).",
};

/**
 * Both parts from one list of paragraphs, so the text and HTML versions never
 * drift apart. A paragraph is plain text, or a link to show as a button.
 */
export type Block = string | { link: string; label: string };

export function render(locale: Locale, subject: string, blocks: Block[]): Rendered {
  const text = [
    ...blocks.map((b) => (typeof b === "string" ? b : `${b.label}${locale === "fr" ? " :" : ":"}\n${b.link}`)),
    "--",
    FOOTER[locale],
  ].join("\n\n");
  const body = blocks
    .map((b) =>
      typeof b === "string"
        ? `<p style="margin:0 0 16px">${escapeHtml(b)}</p>`
        : `<p style="margin:0 0 16px"><a href="${escapeHtml(b.link)}" style="display:inline-block;background:#1d4ed8;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold">${escapeHtml(b.label)}</a></p><p style="margin:0 0 16px;font-size:13px;color:#374151">${escapeHtml(b.link)}</p>`,
    )
    .join("\n");
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif;color:#111827;font-size:16px;line-height:1.5">
<div style="max-width:600px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px">
${body}
<hr style="border:none;border-top:1px solid #d1d5db;margin:24px 0">
<p style="margin:0;font-size:13px;color:#374151">${escapeHtml(FOOTER[locale]).replace(/\n/g, "<br>")}</p>
</div></body></html>`;
  return { subject, text, html };
}
