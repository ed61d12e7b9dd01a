/**
 * The grounds of a refusal, in words: shown to the person on their status
 * page and in the refusal email, and to staff. A module of its own so that a
 * public page does not load the back office's messages to name them.
 */
export const refusalReasonsFr = {
  manifestly_unfounded: "Demande manifestement infondée",
  excessive: "Demande excessive (notamment répétitive)",
  identity_not_established: "Identité non établie",
  outside_scope: "Hors du champ du RGPD ou des traitements de CentreCall",
  mandate_invalid: "Mandat de représentation non accepté",
};

export const refusalReasonsEn: typeof refusalReasonsFr = {
  manifestly_unfounded: "Manifestly unfounded request",
  excessive: "Excessive request (in particular repetitive)",
  identity_not_established: "Identity not established",
  outside_scope: "Outside the GDPR or CentreCall's processing",
  mandate_invalid: "Mandate of representation not accepted",
};
