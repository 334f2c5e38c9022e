/**
 * A one-line text input as the forms here use it: its value is the form's state, and the
 * browser's autocomplete is off (ids, wallets and amounts are not the person's details). The id
 * and aria attributes Field gives it are passed through to the input.
 */
import type { InputHTMLAttributes } from 'react';

interface TextInputProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> {
  value: string;
  /** Called with the new text on every change. */
  onValue: (value: string) => void;
}

export function TextInput({ onValue, ...input }: TextInputProps) {
  return <input autoComplete="off" {...input} onChange={(e) => onValue(e.target.value)} />;
}
