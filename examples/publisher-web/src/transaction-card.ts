/**
 * One transaction followed live through the WatchTransactions server stream: status, confirmations
 * counting up, block number. The stream ends when the transaction is final (enough confirmations)
 * or failed; a dropped connection is resumed by the client, and a lasting failure is shown with a
 * button to watch again.
 */
import type { ChainClient, TransactionStatusChange } from '@mystira/chain-client/web';
import { el, replaceChildren, shortHex } from './dom.js';
import { describeError } from './errors.js';
import type { ExplorerView } from './explorer.js';

/** Where the card learns which explorer (if any) shows the transaction. */
export type ExplorerSource = () => Promise<ExplorerView | undefined>;

export interface TransactionCard {
  readonly element: HTMLElement;
  /** Resolves with the last change once the transaction is final or failed. */
  readonly settled: Promise<TransactionStatusChange>;
}

const STATUS_TEXT: Record<TransactionStatusChange['status'], string> = {
  unspecified: 'Unknown',
  pending: 'Pending',
  confirmed: 'Confirmed',
  failed: 'Failed',
};

/** The card's Explorer row: a link on a public network, else a note with the format. */
function explorerEntry(source: ExplorerSource | undefined, transactionHash: string): HTMLElement {
  const entry = el('dd', { 'data-testid': 'tx-explorer' }, '…');
  if (!source) {
    entry.textContent = '—';
    return entry;
  }
  void source().then((view) => {
    if (!view) replaceChildren(entry, 'unknown: the Chain service did not say which network');
    else if (view.kind === 'note')
      replaceChildren(entry, el('span', { class: 'muted' }, view.text));
    else {
      const href = view.explorer.transactionUrl(transactionHash);
      replaceChildren(
        entry,
        el(
          'a',
          { href, target: '_blank', rel: 'noopener noreferrer' },
          `Storyscan · ${view.explorer.label}`,
        ),
      );
    }
  });
  return entry;
}

export function followTransaction(
  chain: ChainClient,
  label: string,
  transactionHash: string,
  explorer?: ExplorerSource,
): TransactionCard {
  const status = el(
    'span',
    { class: 'badge badge-pending', 'data-testid': 'tx-status' },
    'Submitted',
  );
  const confirmations = el('dd', { 'data-testid': 'tx-confirmations' }, '0');
  const block = el('dd', { 'data-testid': 'tx-block' }, '—');
  const finality = el('dd', { 'data-testid': 'tx-finality' }, 'waiting for the first block');
  const alert = el('div', { class: 'alert', role: 'alert', hidden: true });
  const element = el(
    'article',
    { class: 'tx-card', 'aria-label': `${label} transaction`, 'data-tx': transactionHash },
    el('header', { class: 'tx-head' }, el('h3', {}, label), status),
    el(
      'dl',
      { class: 'facts', 'aria-live': 'polite' },
      el('dt', {}, 'Transaction'),
      el('dd', { class: 'mono', title: transactionHash }, shortHex(transactionHash)),
      el('dt', {}, 'Confirmations'),
      confirmations,
      el('dt', {}, 'Block'),
      block,
      el('dt', {}, 'Finality'),
      finality,
      el('dt', {}, 'Explorer'),
      explorerEntry(explorer, transactionHash),
    ),
    alert,
  );

  const show = (change: TransactionStatusChange) => {
    status.textContent = STATUS_TEXT[change.status];
    status.className = `badge badge-${change.status}`;
    confirmations.textContent = change.confirmations.toString();
    if (change.blockNumber !== undefined) block.textContent = `#${change.blockNumber}`;
    if (change.status === 'failed') {
      finality.textContent = 'failed';
      alert.hidden = false;
      replaceChildren(alert, `The transaction failed: ${change.errorMessage || 'no reason given'}`);
    } else if (change.status === 'confirmed') {
      finality.textContent = 'included, waiting for more confirmations';
    }
  };

  const settled = new Promise<TransactionStatusChange>((resolve) => {
    const watch = async () => {
      alert.hidden = true;
      let last: TransactionStatusChange | undefined;
      try {
        for await (const change of chain.watchTransactions([transactionHash])) {
          last = change;
          show(change);
        }
        if (!last) throw new Error('The Chain service ended the watch without a status');
        if (last.status === 'confirmed') {
          finality.textContent = 'final';
          status.textContent = 'Confirmed · final';
        }
        resolve(last);
      } catch (err) {
        alert.hidden = false;
        const retry = el('button', { type: 'button', class: 'secondary' }, 'Watch again');
        retry.addEventListener('click', () => void watch());
        replaceChildren(
          alert,
          el('p', {}, `Lost track of the transaction. ${describeError(err)}`),
          retry,
        );
      }
    };
    void watch();
  });
  return { element, settled };
}
