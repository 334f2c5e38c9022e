/**
 * Attaching license terms to the registered story: a preset (Commercial Remix with a revenue
 * share a derivative owes the story, or Non-Commercial Social Remixing) or custom terms
 * (commercial use, derivatives allowed, revenue share, minting fee, currency), registered with
 * LicensingService.RegisterLicenseTerms (identical terms answer with their existing id) and
 * attached with AttachLicenseTerms; both through connect-query's mutation hooks, called with the
 * generated service descriptors.
 */

import type { MessageInitShape } from '@bufbuild/protobuf';
import { useMutation } from '@connectrpc/connect-query';
import { uuidv7 } from '@mystira/chain-client/web';
import {
  LicensingService,
  type RegisterLicenseTermsRequestSchema,
  RoyaltyPolicy,
} from '@mystira/chain-protos';
import { type FormEvent, useId, useState } from 'react';
import { describeError, fieldViolationsOf } from '../errors.js';
import { sentence } from '../format.js';
import { parseUnits } from '../units.js';
import { CustomTermsFields, type CustomTermsInput } from './CustomTermsFields.js';
import { FormFooter } from './FormFooter.js';
import { useFieldErrors } from './focus-first-error.js';
import { MICRO_PERCENT } from './license-terms-text.js';
import { type TextFieldSpec, TextFields } from './TextField.js';
import { TransactionCard } from './TransactionCard.js';

/** Story's wrapped IP token: the currency of the devnet's and Story's commercial terms. */
export const WIP = '0x1514000000000000000000000000000000000000';
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export type Preset = 'commercialRemix' | 'nonCommercialSocialRemixing' | 'custom';

/** The preset radio buttons, in the order shown. */
const PRESET_CHOICES: readonly { preset: Preset; label: string }[] = [
  {
    preset: 'commercialRemix',
    label: 'Commercial Remix: derivatives allowed, they share their revenue with the story',
  },
  {
    preset: 'nonCommercialSocialRemixing',
    label: 'Non-Commercial Social Remixing: free remixing, no commercial use, no revenue share',
  },
  {
    preset: 'custom',
    label: 'Custom terms: choose commercial use, derivatives, revenue share and minting fee',
  },
];

/** The fields of the form that can carry an error. */
export type TermsErrors = Partial<Record<'share' | 'currency' | 'fee' | 'derivatives', string>>;

/** The fields of Commercial Remix and of commercial custom terms. */
const COMMERCIAL_FIELDS: readonly TextFieldSpec<'share' | 'currency'>[] = [
  {
    key: 'share',
    name: 'revenueShare',
    label: 'Revenue share (%)',
    hint: 'What a derivative owes the story of every payment it receives',
    inputMode: 'decimal',
  },
  {
    key: 'currency',
    name: 'currencyToken',
    label: 'Currency token',
    hint: 'The ERC-20 token of minting fees and revenue (WIP by default)',
    spellCheck: false,
  },
];

/** A minting fee typed in currency units ("0.5"); "" or "0" is free; undefined when malformed. */
function parseFee(text: string): bigint | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || /^0+(\.0+)?$/.test(trimmed)) return 0n;
  return parseUnits(trimmed);
}

export interface AttachedTerms {
  licenseTermsId: string;
  preset: Preset;
  /** The share of a derivative's revenue owed to the story, in percent (0 without commercial use). */
  revenueSharePercent: number;
  /** Whether scenarios can be registered as derivatives under these terms. */
  derivativesAllowed: boolean;
}

/** The `terms` oneof of RegisterLicenseTermsRequest for the chosen preset or custom terms. */
function termsOf(
  preset: Preset,
  input: {
    currency: string;
    revShareMicroPercent: number;
    custom: CustomTermsInput;
    feeWei: bigint;
  },
): MessageInitShape<typeof RegisterLicenseTermsRequestSchema>['terms'] {
  switch (preset) {
    case 'commercialRemix':
      return {
        case: 'commercialRemix',
        value: {
          currencyToken: input.currency,
          mintingFeeWei: '0',
          commercialRevShareMicroPercent: input.revShareMicroPercent,
        },
      };
    case 'nonCommercialSocialRemixing':
      return { case: 'nonCommercialSocialRemixing', value: {} };
    case 'custom': {
      const { commercialUse, derivativesAllowed } = input.custom;
      // Credit is asked wherever use is allowed, as Story's presets do; licenses are transferable.
      return {
        case: 'custom',
        value: {
          transferable: true,
          commercialUse,
          commercialAttribution: commercialUse,
          commercialRevShareMicroPercent: commercialUse ? input.revShareMicroPercent : 0,
          mintingFeeWei: input.feeWei.toString(),
          currencyToken: commercialUse ? input.currency : '',
          derivativesAllowed,
          derivativesAttribution: derivativesAllowed,
          derivativesApproval: false,
          derivativesReciprocal: false,
          expirationSeconds: 0n,
          termsUri: '',
          royaltyPolicy: RoyaltyPolicy.UNSPECIFIED,
        },
      };
    }
  }
}

export function LicenseTermsForm({
  ipAssetId,
  onAttached,
}: {
  ipAssetId: string;
  onAttached: (terms: AttachedTerms) => void;
}) {
  const presetName = useId();
  const [preset, setPreset] = useState<Preset>('commercialRemix');
  const [commercialValues, setCommercialValues] = useState({ share: '10', currency: WIP });
  const { share, currency } = commercialValues;
  const [custom, setCustom] = useState<CustomTermsInput>({
    commercialUse: true,
    derivativesAllowed: true,
    fee: '0',
  });
  const { errors, formRef, showErrors } = useFieldErrors<TermsErrors>();
  const [alert, setAlert] = useState<string>();
  const [attachTx, setAttachTx] = useState<string>();
  const register = useMutation(LicensingService.method.registerLicenseTerms);
  const attach = useMutation(LicensingService.method.attachLicenseTerms);
  const busy = register.isPending || attach.isPending;

  /** Revenue share and currency matter for Commercial Remix and commercial custom terms. */
  const commercial = preset === 'commercialRemix' || (preset === 'custom' && custom.commercialUse);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAlert(undefined);
    const found: TermsErrors = {};
    const percent = Number(share.trim());
    const fee = parseFee(custom.fee);
    if (commercial) {
      if (!/^\d+(\.\d{1,6})?$/.test(share.trim()) || !(percent >= 0 && percent <= 100))
        found.share = 'Enter a percentage from 0 to 100.';
      else if (preset === 'commercialRemix' && percent === 0)
        found.share = 'Enter a percentage greater than 0 and at most 100.';
      // The page checks the form of an address; whether the chain accepts it is the service's call.
      if (!ADDRESS.test(currency.trim()))
        found.currency = 'A currency token is 0x followed by 40 hex digits.';
    }
    if (preset === 'custom' && custom.commercialUse && fee === undefined)
      found.fee = 'Enter a fee of 0 or more, e.g. 0.5, with at most 18 decimals.';
    if (showErrors(found)) return;
    const revShareMicroPercent = commercial ? Math.round(percent * MICRO_PERCENT) : 0;
    try {
      const registered = await register.mutateAsync({
        terms: termsOf(preset, {
          currency: currency.trim(),
          revShareMicroPercent,
          custom,
          feeWei: preset === 'custom' && custom.commercialUse ? (fee ?? 0n) : 0n,
        }),
        idempotencyKey: uuidv7(),
      });
      const licenseTermsId = registered.licenseTermsId;
      if (!licenseTermsId)
        throw new Error(registered.errorMessage || 'The terms were registered without an id');
      const attached = await attach.mutateAsync({
        ipAssetId,
        licenseTermsId,
        idempotencyKey: uuidv7(),
      });
      if (attached.errorMessage) throw new Error(attached.errorMessage);
      setAttachTx(attached.transactionHash);
      onAttached({
        licenseTermsId,
        preset,
        revenueSharePercent: revShareMicroPercent / MICRO_PERCENT,
        derivativesAllowed: preset !== 'custom' || custom.derivativesAllowed,
      });
    } catch (err) {
      const placed: TermsErrors = {};
      for (const v of fieldViolationsOf(err)) {
        if (v.field.endsWith('commercial_rev_share_micro_percent'))
          placed.share = sentence(v.description);
        if (v.field.endsWith('currency_token')) placed.currency = sentence(v.description);
        if (v.field.endsWith('minting_fee_wei')) placed.fee = sentence(v.description);
        if (v.field.includes('.derivatives_')) placed.derivatives = sentence(v.description);
      }
      showErrors(placed);
      setAlert(`The license terms were not attached. ${describeError(err)}`);
    }
  };

  return (
    <>
      <form
        ref={formRef}
        noValidate
        aria-label="Attach license terms"
        onSubmit={(e) => void submit(e)}
      >
        <fieldset>
          <legend>License terms preset</legend>
          {PRESET_CHOICES.map(({ preset: value, label }) => (
            <div className="choice" key={value}>
              <input
                type="radio"
                id={`${presetName}-${value}`}
                name={presetName}
                checked={preset === value}
                onChange={() => setPreset(value)}
              />
              <label htmlFor={`${presetName}-${value}`}>{label}</label>
            </div>
          ))}
        </fieldset>
        {preset === 'custom' ? (
          <CustomTermsFields value={custom} onChange={setCustom} errors={errors} />
        ) : null}
        {commercial ? (
          <TextFields
            fields={COMMERCIAL_FIELDS}
            values={commercialValues}
            errors={errors}
            onChange={setCommercialValues}
          />
        ) : null}
        <FormFooter alert={alert} busy={busy} label="Attach license terms" busyLabel="Attaching…" />
      </form>
      {attachTx ? (
        <TransactionCard label="Attachment of the license terms" transactionHash={attachTx} />
      ) : null}
    </>
  );
}
