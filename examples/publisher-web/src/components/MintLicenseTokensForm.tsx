/**
 * Minting license tokens of the story under terms attached to it
 * (LicensingService.MintLicenseTokens through connect-query): which terms, how many, for which
 * wallet. The answer's token ids, receiver and minting fee are shown with the transaction followed
 * live; a terms' minting fee is revenue of the story, so its claimable balances refresh.
 */
import { useMutation } from '@connectrpc/connect-query';
import { uuidv7 } from '@mystira/chain-client/web';
import {
  type AttachedLicenseTerms,
  LicensingService,
  OperationStatus,
} from '@mystira/chain-protos';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useServices } from '../chain.js';
import { describeError, violationsByField } from '../errors.js';
import { shortHex } from '../format.js';
import { formatUnits } from '../units.js';
import { Field } from './Field.js';
import { FormFooter } from './FormFooter.js';
import { useFieldErrors } from './focus-first-error.js';
import { describeTerms } from './license-terms-text.js';
import { CLAIMABLE } from './RoyaltiesPanel.js';
import { type TextFieldSpec, TextFields } from './TextField.js';
import { TransactionCard } from './TransactionCard.js';

const WALLET = /^0x[0-9a-fA-F]{40}$/;

interface MintErrors {
  terms?: string;
  amount?: string;
  receiver?: string;
}

/** Where each server-side violation (its proto path) is shown. */
const FIELD_OF_VIOLATION: Record<string, keyof MintErrors> = {
  license_terms_id: 'terms',
  amount: 'amount',
  receiver_address: 'receiver',
};

const FIELDS: readonly TextFieldSpec<'amount' | 'receiver'>[] = [
  { key: 'amount', name: 'mintAmount', label: 'Number of tokens', inputMode: 'numeric' },
  {
    key: 'receiver',
    name: 'mintReceiver',
    label: 'Receiver’s wallet (optional)',
    hint: 'Who gets the tokens; empty for the Chain service’s own wallet, which pays any minting fee',
    spellCheck: false,
    placeholder: '0x…',
  },
];

interface MintedTokens {
  tokenIds: string[];
  receiver: string;
  feePaidWei?: string;
  termsId: string;
  transactionHash?: string;
}

export function MintLicenseTokensForm({
  ipAssetId,
  attached,
}: {
  ipAssetId: string;
  attached: readonly AttachedLicenseTerms[];
}) {
  const { announce } = useServices();
  const queryClient = useQueryClient();
  const [termsId, setTermsId] = useState('');
  const [values, setValues] = useState({ amount: '1', receiver: '' });
  const { amount, receiver } = values;
  const [alert, setAlert] = useState<string>();
  const [minted, setMinted] = useState<MintedTokens>();
  const { errors, formRef, showErrors } = useFieldErrors<MintErrors>();
  const mint = useMutation(LicensingService.method.mintLicenseTokens);
  // The newest attached terms unless the person chose others.
  const chosen = termsId || attached.at(-1)?.licenseTermsId || '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAlert(undefined);
    const found: MintErrors = {};
    if (!chosen) found.terms = 'Attach license terms to the story first.';
    // The upper bound is the Chain service's to say.
    if (!/^\d+$/.test(amount.trim()) || Number(amount.trim()) < 1)
      found.amount = 'Enter a whole number of tokens, at least 1.';
    if (receiver.trim() && !WALLET.test(receiver.trim()))
      found.receiver = 'A wallet is 0x followed by 40 hex digits (or leave it empty).';
    if (showErrors(found)) return;
    try {
      const answer = await mint.mutateAsync({
        licensorIpAssetId: ipAssetId,
        licenseTermsId: chosen,
        amount: Number(amount.trim()),
        receiverAddress: receiver.trim(),
        idempotencyKey: uuidv7(),
      });
      if (answer.status === OperationStatus.FAILED)
        throw new Error(answer.errorMessage || 'The minting failed');
      setMinted({
        tokenIds: answer.licenseTokenIds,
        receiver: answer.receiverAddress,
        termsId: chosen,
        ...(answer.mintingFeePaidWei !== undefined ? { feePaidWei: answer.mintingFeePaidWei } : {}),
        ...(answer.transactionHash ? { transactionHash: answer.transactionHash } : {}),
      });
      announce(
        `${answer.licenseTokenIds.length} license token${answer.licenseTokenIds.length === 1 ? '' : 's'} minted: ${answer.licenseTokenIds.map((id) => `#${id}`).join(', ')}`,
      );
    } catch (err) {
      showErrors(violationsByField(err, FIELD_OF_VIOLATION));
      setAlert(`No license tokens were minted. ${describeError(err)}`);
    }
  };

  return (
    <>
      <form
        ref={formRef}
        noValidate
        aria-label="Mint license tokens"
        onSubmit={(e) => void submit(e)}
      >
        <Field label="Under license terms" hint="Terms attached to the story" error={errors.terms}>
          <select name="mintTerms" value={chosen} onChange={(e) => setTermsId(e.target.value)}>
            {attached.length === 0 ? <option value="">No terms attached yet</option> : null}
            {attached.map((t) => (
              <option key={t.licenseTermsId} value={t.licenseTermsId}>
                Terms #{t.licenseTermsId}: {describeTerms(t.terms)}
              </option>
            ))}
          </select>
        </Field>
        <TextFields fields={FIELDS} values={values} errors={errors} onChange={setValues} />
        <FormFooter
          alert={alert}
          busy={mint.isPending}
          disabled={attached.length === 0}
          label="Mint license tokens"
          busyLabel="Minting…"
        />
      </form>
      {minted ? (
        <>
          <section aria-label="Minted license tokens" data-testid="license-tokens">
            <dl className="facts">
              <dt>Token ids</dt>
              <dd data-testid="license-token-ids">
                {minted.tokenIds.length > 0
                  ? minted.tokenIds.map((id) => `#${id}`).join(', ')
                  : 'known once the transaction is in a block'}
              </dd>
              <dt>Terms</dt>
              <dd>#{minted.termsId}</dd>
              <dt>Receiver</dt>
              <dd className="mono" title={minted.receiver} data-testid="license-token-receiver">
                {shortHex(minted.receiver, 8)}
              </dd>
              <dt>Minting fee paid</dt>
              <dd data-testid="license-token-fee">
                {minted.feePaidWei === undefined ? '…' : formatUnits(BigInt(minted.feePaidWei))}
              </dd>
            </dl>
          </section>
          {minted.transactionHash ? (
            <TransactionCard
              key={minted.transactionHash}
              label={`Minting of ${minted.tokenIds.length} license token${minted.tokenIds.length === 1 ? '' : 's'}`}
              transactionHash={minted.transactionHash}
              onSettled={() => void queryClient.invalidateQueries({ queryKey: [CLAIMABLE] })}
            />
          ) : null}
        </>
      ) : null}
    </>
  );
}
