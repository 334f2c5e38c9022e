/**
 * A labelled one-line text input as the forms here use it: its value is the form's state, and the
 * browser's autocomplete is off (ids, wallets and amounts are not the person's details). The
 * other input attributes (name, inputMode, spellCheck, placeholder) are passed to the input.
 */
import type { InputHTMLAttributes } from 'react';
import { Field } from './Field.js';

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> {
  label: string;
  hint?: string;
  error?: string | undefined;
  value: string;
  /** Called with the new text on every change. */
  onValue: (value: string) => void;
}

export function TextField({ label, hint, error, onValue, ...input }: TextFieldProps) {
  return (
    <Field label={label} error={error} {...(hint ? { hint } : {})}>
      <input autoComplete="off" {...input} onChange={(e) => onValue(e.target.value)} />
    </Field>
  );
}
