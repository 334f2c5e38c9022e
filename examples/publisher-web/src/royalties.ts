/**
 * The royalty side of a registered story: its split (GetRoyaltyConfiguration), a payment into it
 * (PayRoyalties, followed to finality), and each recipient's claimable balance
 * (GetClaimableRoyalties) with a button to claim it (ClaimRoyalties).
 */
import type { ChainClient, ClaimableBalance, RoyaltyRecipient } from '@mystira/chain-client/web';
import { el, replaceChildren, shortHex, uniqueId } from './dom.js';
import { describeError, fieldViolationsOf } from './errors.js';
import { type ExplorerSource, followTransaction } from './transaction-card.js';
import { formatUnits, parseUnits } from './units.js';

interface RecipientRow {
  recipient: RoyaltyRecipient;
  claimable: HTMLElement;
  claim: HTMLButtonElement;
  balances: ClaimableBalance[];
}

export interface RoyaltiesPanel {
  readonly element: HTMLElement;
  /** Shows the split and balances of a (final) registered asset. */
  show(ipAssetId: string): Promise<void>;
}

export function createRoyaltiesPanel(
  chain: ChainClient,
  explorer?: ExplorerSource,
): RoyaltiesPanel {
  const intro = el('p', { class: 'muted' }, 'Register a story to see its royalty split.');
  const splitBody = el('tbody', {});
  const table = el(
    'table',
    { class: 'split', hidden: true, 'aria-label': 'Royalty split' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, 'Recipient'),
        el('th', { scope: 'col' }, 'Role'),
        el('th', { scope: 'col' }, 'Share'),
        el('th', { scope: 'col' }, 'Claimable'),
        el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Action')),
      ),
    ),
    splitBody,
  );
  const alert = el('div', { class: 'alert', role: 'alert', hidden: true });

  const amountId = uniqueId('amount');
  const amountError = el('p', { class: 'field-error', id: `${amountId}-error`, hidden: true });
  const amount = el('input', {
    id: amountId,
    name: 'amount',
    inputmode: 'decimal',
    autocomplete: 'off',
    value: '1',
    'aria-describedby': `${amountId}-hint ${amountId}-error`,
  });
  const payButton = el('button', { type: 'submit' }, 'Pay royalties');
  const refreshButton = el('button', { type: 'button', class: 'secondary' }, 'Refresh balances');
  const payForm = el(
    'form',
    { class: 'pay', novalidate: true, hidden: true, 'aria-label': 'Pay royalties' },
    el(
      'div',
      { class: 'field' },
      el('label', { for: amountId }, 'Amount to pay'),
      amount,
      el(
        'p',
        { class: 'hint', id: `${amountId}-hint` },
        'In the native currency, e.g. 1.5 (split by the shares above)',
      ),
      amountError,
    ),
    el('div', { class: 'actions' }, payButton, refreshButton),
  );
  const activity = el('div', { class: 'activity', 'aria-label': 'Royalty transactions' });
  const element = el('div', {}, intro, table, payForm, alert, activity);

  let ipAssetId: string | undefined;
  let rows: RecipientRow[] = [];

  const showAlert = (message: string | undefined) => {
    alert.hidden = message === undefined;
    alert.textContent = message ?? '';
  };
  const setAmountError = (message: string | undefined) => {
    amountError.hidden = message === undefined;
    amountError.textContent = message ?? '';
    if (message === undefined) amount.removeAttribute('aria-invalid');
    else amount.setAttribute('aria-invalid', 'true');
  };

  const refreshBalances = async () => {
    const asset = ipAssetId;
    if (!asset) return;
    const answers = await Promise.allSettled(
      rows.map((row) =>
        chain.getClaimableRoyalties({
          walletAddress: row.recipient.walletAddress,
          ipAssetId: asset,
        }),
      ),
    );
    const failures: string[] = [];
    answers.forEach((answer, i) => {
      const row = rows[i];
      if (!row) return;
      if (answer.status === 'rejected') {
        row.claimable.textContent = 'unknown';
        failures.push(describeError(answer.reason));
        return;
      }
      row.balances = answer.value.balances.filter((b) => b.amountWei > 0n);
      const total = row.balances.reduce((sum, b) => sum + b.amountWei, 0n);
      row.claimable.textContent =
        row.balances.length === 0 ? '0' : row.balances.map((b) => b.amountFormatted).join(' + ');
      row.claimable.title = `${total} wei`;
      row.claim.disabled = total === 0n;
    });
    showAlert(failures.length > 0 ? `Could not load every balance. ${failures[0]}` : undefined);
  };

  const claim = async (row: RecipientRow) => {
    const asset = ipAssetId;
    if (!asset) return;
    row.claim.disabled = true;
    row.claim.textContent = 'Claiming…';
    showAlert(undefined);
    try {
      for (const balance of row.balances) {
        const result = await chain.claimRoyalties({
          ipAssetId: asset,
          contributorWallet: row.recipient.walletAddress,
          currencyToken: balance.currencyToken,
        });
        if (!result.transactionHash)
          throw new Error(result.errorMessage || 'The claim returned no transaction');
        const card = followTransaction(
          chain,
          `Claim of ${formatUnits(result.amountClaimedWei)} by ${shortHex(row.recipient.walletAddress, 6)}`,
          result.transactionHash,
          explorer,
        );
        activity.prepend(card.element);
        await card.settled;
      }
    } catch (err) {
      showAlert(`The claim did not go through. ${describeError(err)}`);
    } finally {
      row.claim.textContent = 'Claim';
      await refreshBalances().catch((err: unknown) => showAlert(describeError(err)));
    }
  };

  payForm.addEventListener('submit', (event) => {
    event.preventDefault();
    setAmountError(undefined);
    showAlert(undefined);
    const asset = ipAssetId;
    const wei = parseUnits(amount.value);
    if (!asset) return;
    if (wei === undefined) {
      setAmountError('Enter an amount greater than 0, with at most 18 decimals.');
      amount.focus();
      return;
    }
    payButton.disabled = true;
    payButton.textContent = 'Paying…';
    void (async () => {
      try {
        const payment = await chain.payRoyalties({ ipAssetId: asset, amountWei: wei });
        if (!payment.transactionHash)
          throw new Error(payment.errorMessage || 'The payment returned no transaction');
        const card = followTransaction(
          chain,
          `Payment of ${formatUnits(payment.amountWei)}`,
          payment.transactionHash,
          explorer,
        );
        activity.prepend(card.element);
        const final = await card.settled;
        if (final.status === 'confirmed') await refreshBalances();
      } catch (err) {
        const amountViolation = fieldViolationsOf(err).find((v) => v.field === 'amount_wei');
        if (amountViolation)
          setAmountError(`The Chain service says the amount ${amountViolation.description}.`);
        showAlert(`The payment did not go through. ${describeError(err)}`);
      } finally {
        payButton.disabled = false;
        payButton.textContent = 'Pay royalties';
      }
    })();
  });

  refreshButton.addEventListener('click', () => {
    refreshBalances().catch((err: unknown) => showAlert(describeError(err)));
  });

  return {
    element,
    async show(asset) {
      ipAssetId = asset;
      replaceChildren(activity);
      showAlert(undefined);
      intro.textContent = 'Loading the royalty split…';
      try {
        const config = await chain.getRoyaltyConfiguration(asset);
        rows = config.recipients.map((recipient) => {
          const claimButton = el(
            'button',
            {
              type: 'button',
              class: 'secondary',
              disabled: true,
              'aria-label': `Claim for ${recipient.walletAddress}`,
            },
            'Claim',
          );
          const row: RecipientRow = {
            recipient,
            claimable: el('span', { 'data-testid': 'claimable' }, '…'),
            claim: claimButton,
            balances: [],
          };
          claimButton.addEventListener('click', () => void claim(row));
          return row;
        });
        replaceChildren(
          splitBody,
          ...rows.map((row) =>
            el(
              'tr',
              { 'data-wallet': row.recipient.walletAddress.toLowerCase() },
              el(
                'td',
                { class: 'mono', title: row.recipient.walletAddress, 'data-label': 'Recipient' },
                shortHex(row.recipient.walletAddress, 8),
              ),
              el('td', { 'data-label': 'Role' }, row.recipient.role.toLowerCase()),
              el(
                'td',
                { 'data-label': 'Share', 'data-testid': 'share' },
                `${(row.recipient.shareBasisPoints / 100).toFixed(2)} %`,
              ),
              el('td', { 'data-label': 'Claimable' }, row.claimable),
              el('td', {}, row.claim),
            ),
          ),
        );
        intro.textContent = `Royalty module ${config.royaltyModuleId || '—'} · asset ${asset}`;
        table.hidden = false;
        payForm.hidden = false;
        await refreshBalances();
      } catch (err) {
        intro.textContent = 'The royalty split could not be loaded.';
        showAlert(describeError(err));
      }
    },
  };
}
