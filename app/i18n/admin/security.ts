/**
 * Back-office messages for failures of the server's own resources (a full or
 * read-only archive directory): said plainly, so staff know it is not their
 * action that was wrong and whom to call.
 */
export const securityErrorsFr = {
  unavailable: "Le serveur ne peut pas effectuer cette action pour le moment. Réessayez plus tard ou prévenez l'exploitation.",
  archive_storage_failed:
    "L'archive n'a pas pu être enregistrée : le dossier des archives est plein ou n'accepte pas l'écriture. Rien n'a été publié ni envoyé au demandeur. Prévenez l'exploitation, puis publiez à nouveau.",
  archive_source_unreadable:
    "Un fichier collecté n'a pas pu être relu intact : rien n'a été publié. Relancez la collecte, puis publiez à nouveau.",
};

export const securityErrorsEn: Record<keyof typeof securityErrorsFr, string> = {
  unavailable: "The server cannot do this right now. Try again later or tell the operations team.",
  archive_storage_failed:
    "The archive could not be saved: the archive directory is full or cannot be written to. Nothing was released or sent to the requester. Tell the operations team, then release it again.",
  archive_source_unreadable: "A gathered file could not be read back intact: nothing was released. Run the gather again, then release it again.",
};
