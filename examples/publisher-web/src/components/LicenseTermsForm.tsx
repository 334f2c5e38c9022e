/**
 * Attaching license terms to the registered story: a preset (Commercial Remix with a revenue
 * share a derivative owes the story, or Non-Commercial Social Remixing), registered with
 * LicensingService.RegisterLicenseTerms (identical terms answer with their existing id) and
 * attached with AttachLicenseTerms; both through connect-query's mutation hooks, called with the
 * generated service descriptors.
 */
import { useMutation } from '@connectrpc/connect-query';
import { uuidv7 } from '@mystira/chain-client/web';
import { LicensingService } from '@mystira/chain-protos';
import { type FormEvent, useId, useState } from 'react';
import { describeError, fieldViolationsOf } from '../errors.js';
import { sentence } from '../format.js';
import { Field } from './Field.js';
import { TransactionCard } from './TransactionCard.js';

/** Story's wrapped IP token: the currency of the devnet's and Story's commercial terms. */
export const WIP = '0x1514000000000000000000000000000000000000';
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
/** PIL counts revenue shares in millionths of a percent. */
const MICRO_PERCENT = 1_000_000;

export type Preset = 'commercialRemix' | 'nonCommercialSocialRemixing';

export interface AttachedTerms {
  licenseTermsId: string;
  preset: Preset;
  /** The share of a derivative's revenue owed to the story, in percent (0 without commercial use). */
  revenueSharePercent: number;
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
  const [share, setShare] = useState('10');
  const [currency, setCurrency] = useState(WIP);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [alert, setAlert] = useState<string>();
  const [attachTx, setAttachTx] = useState<string>();
  const register = useMutation(LicensingService.method.registerLicenseTerms);
  const attach = useMutation(LicensingService.method.attachLicenseTerms);
  const busy = register.isPending || attach.isPending;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAlert(undefined);
    const found: Record<string, string> = {};
    const percent = Number(share.trim());
    if (preset === 'commercialRemix') {
      if (!/^\d+(\.\d{1,6})?$/.test(share.trim()) || !(percent > 0 && percent <= 100))
        found.share = 'Enter a percentage greater than 0 and at most 100.';
      if (!ADDRESS.test(currency.trim()))
        found.currency = 'A currency token is 0x followed by 40 hex digits.';
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    try {
      const registered = await register.mutateAsync({
        terms:
          preset === 'commercialRemix'
            ? {
                case: 'commercialRemix',
                value: {
                  currencyToken: currency.trim(),
                  mintingFeeWei: '0',
                  commercialRevShareMicroPercent: Math.round(percent * MICRO_PERCENT),
                },
              }
            : { case: 'nonCommercialSocialRemixing', value: {} },
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
        revenueSharePercent: preset === 'commercialRemix' ? percent : 0,
      });
    } catch (err) {
      const placed: Record<string, string> = {};
      for (const v of fieldViolationsOf(err)) {
        if (v.field.endsWith('commercial_rev_share_micro_percent'))
          placed.share = sentence(v.description);
        if (v.field.endsWith('currency_token')) placed.currency = sentence(v.description);
      }
      setErrors(placed);
      setAlert(`The license terms were not attached. ${describeError(err)}`);
    }
  };

  return (
    <>
      <form noValidate aria-label="Attach license terms" onSubmit={(e) => void submit(e)}>
        <fieldset>
          <legend>License terms preset</legend>
          <div className="choice">
            <input
              type="radio"
              id={`${presetName}-remix`}
              name={presetName}
              checked={preset === 'commercialRemix'}
              onChange={() => setPreset('commercialRemix')}
            />
            <label htmlFor={`${presetName}-remix`}>
              Commercial Remix: derivatives allowed, they share their revenue with the story
            </label>
          </div>
          <div className="choice">
            <input
              type="radio"
              id={`${presetName}-social`}
              name={presetName}
              checked={preset === 'nonCommercialSocialRemixing'}
              onChange={() => setPreset('nonCommercialSocialRemixing')}
            />
            <label htmlFor={`${presetName}-social`}>
              Non-Commercial Social Remixing: free remixing, no commercial use, no revenue share
            </label>
          </div>
        </fieldset>
        {preset === 'commercialRemix' ? (
          <>
            <Field
              label="Revenue share (%)"
              hint="What a derivative owes the story of every payment it receives"
              error={errors.share}
            >
              <input
                name="revenueShare"
                inputMode="decimal"
                autoComplete="off"
                value={share}
                onChange={(e) => setShare(e.target.value)}
              />
            </Field>
            <Field
              label="Currency token"
              hint="The ERC-20 token of minting fees and revenue (WIP by default)"
              error={errors.currency}
            >
              <input
                name="currencyToken"
                autoComplete="off"
                spellCheck={false}
                value={currency}
                onChange={(e) => setCurrency(e.target.value)}
              />
            </Field>
          </>
        ) : null}
        <div className="alert" role="alert" hidden={!alert}>
          {alert ?? ''}
        </div>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Attaching…' : 'Attach license terms'}
          </button>
        </div>
      </form>
      {attachTx ? (
        <TransactionCard label="Attachment of the license terms" transactionHash={attachTx} />
      ) : null}
    </>
  );
}
