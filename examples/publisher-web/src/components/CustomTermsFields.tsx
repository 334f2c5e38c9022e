/**
 * The custom part of the license terms form: whether the work may be used commercially and
 * whether derivatives may be made (checkboxes, Space toggles them), and the minting fee a license
 * costs under commercial terms. The revenue share and currency fields are the form's own, shared
 * with the Commercial Remix preset.
 */
import { useId } from 'react';
import { Field } from './Field.js';
import type { TermsErrors } from './LicenseTermsForm.js';

export interface CustomTermsInput {
  commercialUse: boolean;
  derivativesAllowed: boolean;
  /** The minting fee per license, in currency units as typed ("0.5"). */
  fee: string;
}

function Checkbox({
  label,
  hint,
  checked,
  error,
  onChange,
}: {
  label: string;
  hint: string;
  checked: boolean;
  error?: string | undefined;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <div className="choice">
        <input
          type="checkbox"
          id={id}
          checked={checked}
          onChange={(e) => onChange(e.target.checked)}
          aria-describedby={`${id}-hint ${id}-error`}
          aria-invalid={error === undefined ? undefined : true}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
      <p className="field-error" id={`${id}-error`} hidden={error === undefined}>
        {error ?? ''}
      </p>
    </div>
  );
}

export function CustomTermsFields({
  value,
  onChange,
  errors,
}: {
  value: CustomTermsInput;
  onChange: (value: CustomTermsInput) => void;
  errors: TermsErrors;
}) {
  return (
    <fieldset>
      <legend>Custom terms</legend>
      <Checkbox
        label="Commercial use"
        hint="Licensees may use the story commercially, with credit; they pay the fee and revenue share below"
        checked={value.commercialUse}
        onChange={(commercialUse) => onChange({ ...value, commercialUse })}
      />
      <Checkbox
        label="Derivatives allowed"
        hint="Scenarios and other works may be derived from the story, with credit"
        checked={value.derivativesAllowed}
        error={errors.derivatives}
        onChange={(derivativesAllowed) => onChange({ ...value, derivativesAllowed })}
      />
      {value.commercialUse ? (
        <Field
          label="Minting fee per license"
          hint="In the currency token below, e.g. 0.5; 0 for free licenses. It is revenue of the story."
          error={errors.fee}
        >
          <input
            name="mintingFee"
            inputMode="decimal"
            autoComplete="off"
            value={value.fee}
            onChange={(e) => onChange({ ...value, fee: e.target.value })}
          />
        </Field>
      ) : null}
    </fieldset>
  );
}
