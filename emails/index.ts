export { smsUnconfirmedLapsed, smsVerificationReminder, unconfirmedLapsed, verification, verificationReminder } from "./verification";
export { acknowledgement } from "./acknowledgement";
export { statusLink } from "./status-link";
export { agentCode, expiredNotice, postalCode, smsAcknowledgement, smsCode, smsStatusLink } from "./sms-code";
export type { Rendered, Sender } from "./layout";
export {
  closedNoReply,
  closingNotice,
  extensionNotice,
  infoReminder,
  infoRequest,
  refusalNotice,
  smsClosedNoReply,
  smsClosing,
  smsExtension,
  smsInfoReminder,
  smsInfoRequest,
  smsRefusal,
  type Done,
} from "./ticket-notices";
export { reminderDigest } from "./reminder-digest";
export { archiveReady, downloadLink } from "./archive";
export { erasureCertificate, recipientErasureNotice, rectificationDone, recipientRectificationNotice, recipientRestrictionNotice } from "./erasure";
export { mandateRejected, smsSubjectConfirmation, subjectConfirmation } from "./mandate";
export { noDataAnswer, smsNoData } from "./answers";
export { passwordChanged, secondFactorChanged, type SecondFactorChange } from "./staff-security";
export { controllerReferral, controllerPartText, type ControllerPart } from "./referrals";
