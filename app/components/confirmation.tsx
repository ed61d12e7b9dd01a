import { Form } from "@remix-run/react";
import { useEffect, useRef } from "react";

/**
 * The confirmation of an action that cannot be undone, as the server answered
 * the first POST. Without JavaScript it is a section of the page (an open,
 * non-modal <dialog>) whose button re-posts the same fields with
 * `confirmed=1`, and whose link goes back to the ticket. With JavaScript the
 * same element becomes a modal dialog: focus moves into it (on "go back", the
 * harmless choice), Escape or "go back" closes it and returns focus to where
 * it was.
 */
export function Confirmation(props: { intent: string; title: string; text: string; confirmLabel: string; backLabel: string; backHref: string; fields: [string, string][]; onDismiss: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const modal = useRef(false);
  const { onDismiss } = props;
  useEffect(() => {
    const d = ref.current;
    if (!d || typeof d.showModal !== "function") return;
    // Focus goes back to the button that asked (the form was re-rendered since: found by its intent).
    const asked = () =>
      [...document.querySelectorAll<HTMLInputElement>('form input[name="intent"]')]
        .find((i) => i.value === props.intent && !i.closest("dialog"))
        ?.form?.querySelector<HTMLElement>('button[type="submit"]') ?? null;
    // Rendered open for a page without scripts; made modal here. close() would queue a "close" event that dismisses it.
    d.removeAttribute("open");
    d.showModal();
    modal.current = true;
    d.querySelector<HTMLElement>("[data-confirm-back]")?.focus();
    const closed = () => {
      modal.current = false;
      onDismiss();
      asked()?.focus();
    };
    d.addEventListener("close", closed);
    return () => d.removeEventListener("close", closed);
  }, [onDismiss, props.intent]);
  return (
    <dialog ref={ref} open className="panel confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text" data-confirm>
      <h2 id="confirm-title">{props.title}</h2>
      <p id="confirm-text">{props.text}</p>
      <div className="cta-row">
        <Form method="post">
          {props.fields.map(([name, value], i) => (
            <input key={`${name}-${i}`} type="hidden" name={name} value={value} />
          ))}
          <input type="hidden" name="confirmed" value="1" />
          <button type="submit" className="button">
            {props.confirmLabel}
          </button>
        </Form>
        <a
          href={props.backHref}
          className="button secondary"
          data-confirm-back
          onClick={(e) => {
            if (!modal.current) return;
            e.preventDefault();
            ref.current?.close();
          }}
        >
          {props.backLabel}
        </a>
      </div>
    </dialog>
  );
}
