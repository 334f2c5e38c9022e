/** A control with its visible label, optional hint and its own error line, tied together for screen readers. */
import { cloneElement, type ReactElement, useId } from 'react';

interface FieldProps {
  label: string;
  hint?: string;
  error?: string | undefined;
  /** The input or select; Field gives it its id, aria-describedby and aria-invalid. */
  children: ReactElement<Record<string, unknown>>;
}

export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const control = cloneElement(children, {
    id,
    'aria-describedby': [hint ? hintId : undefined, errorId].filter(Boolean).join(' '),
    'aria-invalid': error === undefined ? undefined : true,
  });
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <p className="field-error" id={errorId} hidden={error === undefined}>
        {error ?? ''}
      </p>
    </div>
  );
}
