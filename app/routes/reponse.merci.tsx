import { useLocale } from "../components/i18n";

export default function ReplyThanks() {
  const locale = useLocale();
  return (
    <>
      <h1>{locale === "fr" ? "Merci, votre réponse est transmise" : "Thank you, your answer has been passed on"}</h1>
      <p role="status">
        {locale === "fr"
          ? "Le délai de traitement de votre demande reprend à compter d'aujourd'hui."
          : "The time limit for your request runs again from today."}
      </p>
    </>
  );
}
