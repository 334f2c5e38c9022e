/**
 * The royalty side of a registered asset: its split (GetRoyaltyConfiguration), a payment into it
 * (PayRoyalties, followed to finality), and each recipient's claimable balance
 * (GetClaimableRoyalties) with a button to claim it (ClaimRoyalties). Balances are TanStack
 * queries under one key prefix, so a payment anywhere (a derivative's reaches its parents)
 * refreshes every panel on the page.
 */
import type { ClaimableBalance, RoyaltyRecipient } from '@mystira/chain-client/web';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useServices } from '../chain.js';
import { describeError, fieldViolationsOf } from '../errors.js';
import { shortHex } from '../format.js';
import { formatUnits, parseUnits } from '../units.js';
import { TransactionCard } from './TransactionCard.js';

/** The key prefix of every claimable balance query. */
export const CLAIMABLE = 'claimable';

export interface RoyaltiesPanelText {
  /** The table's accessible name. */
  table: string;
  /** The amount field's label. */
  amount: string;
  /** The pay button's text. */
  pay: string;
  /** The payment card's label suffix, e.g. " to the scenario". */
  to: string;
}

export const STORY_TEXT: RoyaltiesPanelText = {
  table: 'Royalty split',
  amount: 'Amount to pay',
  pay: 'Pay royalties',
  to: '',
};

interface Activity {
  key: string;
  label: string;
  hash: string;
  settle?: () => void;
}

function RecipientRow({
  ipAssetId,
  recipient,
  onClaimed,
  onError,
}: {
  ipAssetId: string;
  recipient: RoyaltyRecipient;
  onClaimed: (activity: Activity) => Promise<void>;
  onError: (message: string | undefined) => void;
}) {
  const { chain } = useServices();
  const wallet = recipient.walletAddress;
  const balances = useQuery({
    queryKey: [CLAIMABLE, ipAssetId, wallet],
    queryFn: async (): Promise<ClaimableBalance[]> =>
      (await chain.getClaimableRoyalties({ walletAddress: wallet, ipAssetId })).balances.filter(
        (b) => b.amountWei > 0n,
      ),
  });
  const [claiming, setClaiming] = useState(false);
  const list = balances.data ?? [];
  const total = list.reduce((sum, b) => sum + b.amountWei, 0n);
  let claimable = '…';
  if (balances.isError) claimable = 'unknown';
  else if (balances.data)
    claimable = list.length === 0 ? '0' : list.map((b) => b.amountFormatted).join(' + ');

  const claim = async () => {
    setClaiming(true);
    onError(undefined);
    try {
      for (const balance of list) {
        const result = await chain.claimRoyalties({
          ipAssetId,
          contributorWallet: wallet,
          currencyToken: balance.currencyToken,
        });
        if (!result.transactionHash)
          throw new Error(result.errorMessage || 'The claim returned no transaction');
        await onClaimed({
          key: result.transactionHash,
          label: `Claim of ${formatUnits(result.amountClaimedWei)} by ${shortHex(wallet, 6)}`,
          hash: result.transactionHash,
        });
      }
    } catch (err) {
      onError(`The claim did not go through. ${describeError(err)}`);
    } finally {
      setClaiming(false);
    }
  };

  return (
    <tr data-wallet={wallet.toLowerCase()}>
      <td className="mono" title={wallet} data-label="Recipient">
        {shortHex(wallet, 8)}
      </td>
      <td data-label="Role">{recipient.role.toLowerCase()}</td>
      <td data-label="Share" data-testid="share">
        {(recipient.shareBasisPoints / 100).toFixed(2)} %
      </td>
      <td data-label="Claimable">
        <span data-testid="claimable" title={`${total} wei`}>
          {claimable}
        </span>
      </td>
      <td>
        <button
          type="button"
          className="secondary"
          disabled={claiming || total === 0n}
          aria-label={`Claim for ${wallet}`}
          onClick={() => void claim()}
        >
          {claiming ? 'Claiming…' : 'Claim'}
        </button>
      </td>
    </tr>
  );
}

export function RoyaltiesPanel({
  ipAssetId,
  text = STORY_TEXT,
}: {
  ipAssetId: string;
  text?: RoyaltiesPanelText;
}) {
  const { chain } = useServices();
  const queryClient = useQueryClient();
  const amountId = useId();
  const [amount, setAmount] = useState('1');
  const [amountError, setAmountError] = useState<string>();
  const [alert, setAlert] = useState<string>();
  const [activity, setActivity] = useState<Activity[]>([]);
  const amountRef = useRef<HTMLInputElement>(null);

  const config = useQuery({
    queryKey: ['royalty-configuration', ipAssetId],
    queryFn: () => chain.getRoyaltyConfiguration(ipAssetId),
  });
  const refreshBalances = () => queryClient.invalidateQueries({ queryKey: [CLAIMABLE] });

  /** Shows a transaction's card and resolves once it is settled; a confirmed one refreshes balances. */
  const follow = (item: Omit<Activity, 'settle'>) =>
    new Promise<void>((resolve) => {
      setActivity((all) => [{ ...item, settle: resolve }, ...all]);
    }).then(refreshBalances);

  const pay = useMutation({
    mutationFn: async (amountWei: bigint) => {
      const payment = await chain.payRoyalties({ ipAssetId, amountWei });
      if (!payment.transactionHash)
        throw new Error(payment.errorMessage || 'The payment returned no transaction');
      await follow({
        key: payment.transactionHash,
        label: `Payment of ${formatUnits(payment.amountWei)}${text.to}`,
        hash: payment.transactionHash,
      });
    },
    onError: (err) => {
      const violation = fieldViolationsOf(err).find((v) => v.field === 'amount_wei');
      if (violation) setAmountError(`The Chain service says the amount ${violation.description}.`);
      setAlert(`The payment did not go through. ${describeError(err)}`);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAmountError(undefined);
    setAlert(undefined);
    const wei = parseUnits(amount);
    if (wei === undefined) {
      setAmountError('Enter an amount greater than 0, with at most 18 decimals.');
      amountRef.current?.focus();
      return;
    }
    pay.mutate(wei);
  };

  if (config.isPending) return <p className="muted">Loading the royalty split…</p>;
  if (config.isError)
    return (
      <>
        <p className="muted">The royalty split could not be loaded.</p>
        <div className="alert" role="alert">
          {describeError(config.error)}
        </div>
      </>
    );

  return (
    <div>
      <p className="muted">
        Royalty module {config.data.royaltyModuleId || '—'} · asset {ipAssetId}
      </p>
      <table className="split" aria-label={text.table}>
        <thead>
          <tr>
            <th scope="col">Recipient</th>
            <th scope="col">Role</th>
            <th scope="col">Share</th>
            <th scope="col">Claimable</th>
            <th scope="col">
              <span className="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {config.data.recipients.map((recipient) => (
            <RecipientRow
              key={recipient.walletAddress}
              ipAssetId={ipAssetId}
              recipient={recipient}
              onClaimed={follow}
              onError={setAlert}
            />
          ))}
        </tbody>
      </table>
      <form className="pay" noValidate aria-label={text.pay} onSubmit={submit}>
        <div className="field">
          <label htmlFor={amountId}>{text.amount}</label>
          <input
            id={amountId}
            ref={amountRef}
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            aria-describedby={`${amountId}-hint ${amountId}-error`}
            aria-invalid={amountError ? true : undefined}
          />
          <p className="hint" id={`${amountId}-hint`}>
            In the native currency, e.g. 1.5 (split by the shares above)
          </p>
          <p className="field-error" id={`${amountId}-error`} hidden={!amountError}>
            {amountError ?? ''}
          </p>
        </div>
        <div className="actions">
          <button type="submit" disabled={pay.isPending}>
            {pay.isPending ? 'Paying…' : text.pay}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setAlert(undefined);
              void refreshBalances();
            }}
          >
            Refresh balances
          </button>
        </div>
      </form>
      <div className="alert" role="alert" hidden={!alert}>
        {alert ?? ''}
      </div>
      <section className="activity" aria-label={`${text.table}: transactions`}>
        {activity.map((item) => (
          <TransactionCard
            key={item.key}
            label={item.label}
            transactionHash={item.hash}
            onSettled={() => item.settle?.()}
          />
        ))}
      </section>
    </div>
  );
}
