import type { WithholdingGround } from "../db/schema/withholdings";
import type { WithheldLine } from "../app/services/withholdings.server";
import { organisation } from "../app/utils/organisation.server";
import { esc } from "./html";
import { pluralCategory } from "../app/i18n/format";

/** One item kept out of the copy, as the letter tells it: its kind, its system (by its label) and the ground — never its content. */
export type WithheldItem = WithheldLine & { system: string };

type Lang = "fr" | "en";
type Kind = "access" | "portability";

const WHAT = {
  fr: { record: "Un enregistrement entier", field: "Une information d'un enregistrement", file: "Un fichier" },
  en: { record: "A whole record", field: "One piece of information in a record", file: "A file" },
} as const;

function ground(g: WithholdingGround, explanation: string | null, lang: Lang, kind: Kind): string {
  // Art. 15(4) for a copy; Art. 20(4) is the same limit for portability.
  const article = kind === "access" ? "15" : "20";
  if (lang === "fr") {
    if (g === "others_rights") return `il concerne aussi une autre personne, et vous le communiquer porterait atteinte à ses droits et libertés (article ${article}, paragraphe 4, du RGPD).`;
    if (g === "trade_secret") return "le communiquer porterait atteinte au secret des affaires ou à la propriété intellectuelle d'un tiers (considérant 63 du RGPD).";
    return `${explanation ?? ""}`;
  }
  if (g === "others_rights") return `it also concerns another person, and giving it to you would adversely affect their rights and freedoms (Article ${article}(4) GDPR).`;
  if (g === "trade_secret") return "giving it to you would adversely affect a third party's trade secrets or intellectual property (Recital 63 GDPR).";
  return `${explanation ?? ""}`;
}

/**
 * The letter's section on what was kept out, for one language: empty when
 * nothing was (a sentence about withholding is only said when it happened).
 */
export function withheldSection(items: WithheldItem[], lang: Lang, kind: Kind): string {
  if (!items.length) return "";
  const n = items.length;
  const many = pluralCategory(lang, n) !== "one";
  const dpo = esc(organisation().dpo.email);
  const [title, intro, contest] =
    lang === "fr"
      ? [
          "Ce que nous avons retiré de cette archive, et pourquoi",
          `Nous avons retiré ${many ? `${n} éléments` : "un élément"} de cette archive. ${many ? "Pour chacun, voici" : "Voici"} de quoi il s'agit, de quel système il provient et pourquoi ; son contenu n'est pas reproduit ici.`,
          `Si vous contestez ce retrait, écrivez à notre délégué à la protection des données (${dpo}) en rappelant la référence de votre demande ; vous pouvez aussi introduire une réclamation auprès de la CNIL.`,
        ]
      : [
          "What we removed from this archive, and why",
          `We removed ${many ? `${n} items` : "one item"} from this archive. ${many ? "For each, here is" : "Here is"} what it is, which system it comes from and why; its content is not given here.`,
          `If you disagree, write to our data protection officer (${dpo}) quoting your request's reference; you may also lodge a complaint with the CNIL.`,
        ];
  const from = (system: string) => (lang === "fr" ? ` du système « ${esc(system)} »` : ` from the system "${esc(system)}"`);
  const because = lang === "fr" ? " : " : ": ";
  return `<h2>${title}</h2>
<p>${intro}</p>
<ul>
${items.map((w) => `<li>${WHAT[lang][w.what]}${from(w.system)}${because}${esc(ground(w.ground, w.explanation, lang, kind))}</li>`).join("\n")}
</ul>
<p>${contest}</p>`;
}
