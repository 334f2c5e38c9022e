/**
 * Labelled one-line text inputs as the forms here use them: a value is the form's state, and the
 * browser's autocomplete is off (ids, wallets and amounts are not the person's details). The
 * other input attributes (name, inputMode, spellCheck, placeholder) are passed to the input.
 * `TextFields` renders a form's table of them.
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

/** One row of a form's table of text fields: `key` names its value and its error. */
export interface TextFieldSpec<K extends string>
  extends Omit<TextFieldProps, 'value' | 'onValue' | 'error'> {
  key: K;
}

/** The text fields `fields` lists, in order, each showing its value and error by its key. */
export function TextFields<K extends string>({
  fields,
  values,
  errors,
  onChange,
}: {
  fields: readonly TextFieldSpec<K>[];
  values: Record<K, string>;
  errors: Partial<Record<K, string>>;
  /** Called with all the values, one of them changed. */
  onChange: (values: Record<K, string>) => void;
}) {
  return fields.map(({ key, ...field }) => (
    <TextField
      key={key}
      {...field}
      error={errors[key]}
      value={values[key]}
      onValue={(value) => onChange({ ...values, [key]: value })}
    />
  ));
}
