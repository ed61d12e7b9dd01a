import type { ReactNode } from "react";

/**
 * Form controls wired for assistive technology: every control has a label,
 * hints and errors are tied to it with aria-describedby, and an invalid
 * control says so with aria-invalid.
 */
type Common = { name: string; label: string; hint?: string; error?: string };

function describedBy(name: string, hint?: string, error?: string) {
  const ids = [hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

export function FieldMessages({ name, hint, error }: { name: string; hint?: string; error?: string }) {
  return (
    <>
      {hint ? (
        <p id={`${name}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${name}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </>
  );
}

export function TextField({
  name,
  label,
  hint,
  error,
  defaultValue,
  type = "text",
  autoComplete,
  required,
  inputMode,
  maxLength,
  autoFocus,
}: Common & {
  defaultValue?: string;
  type?: "text" | "email" | "tel" | "date";
  autoComplete?: string;
  required?: boolean;
  inputMode?: "text" | "email" | "tel" | "numeric";
  maxLength?: number;
  autoFocus?: boolean;
}) {
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={name}>{label}</label>
      <FieldMessages name={name} hint={hint} error={error} />
      <input
        id={name}
        name={name}
        type={type}
        defaultValue={defaultValue}
        autoComplete={autoComplete}
        aria-required={required || undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(name, hint, error)}
        inputMode={inputMode}
        maxLength={maxLength}
        autoFocus={autoFocus}
      />
    </div>
  );
}

export function TextArea({ name, label, hint, error, defaultValue, required, maxLength }: Common & { defaultValue?: string; required?: boolean; maxLength?: number }) {
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={name}>{label}</label>
      <FieldMessages name={name} hint={hint} error={error} />
      <textarea
        id={name}
        name={name}
        rows={5}
        defaultValue={defaultValue}
        aria-required={required || undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(name, hint, error)}
        maxLength={maxLength}
      />
    </div>
  );
}

export function Fieldset({ legend, name, hint, error, children }: { legend: string; name: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <fieldset className={`field${error ? " has-error" : ""}`} aria-describedby={describedBy(name, hint, error)} id={`${name}-group`}>
      <legend>{legend}</legend>
      <FieldMessages name={name} hint={hint} error={error} />
      {children}
    </fieldset>
  );
}
