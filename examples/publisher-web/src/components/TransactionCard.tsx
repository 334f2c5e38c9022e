/**
 * One transaction followed live through the WatchTransactions server stream: status, confirmations
 * counting up, block number. The stream ends when the transaction is final (enough confirmations)
 * or failed; a dropped connection is resumed by the client, and a lasting failure is shown with a
 * button to watch again.
 */
import type { TransactionStatusChange } from '@mystira/chain-client/web';
import { useEffect, useRef, useState } from 'react';
import { useServices } from '../chain.js';
import { describeError } from '../errors.js';
import { shortHex } from '../format.js';
import { useExplorerView } from './explorer-view.js';

const STATUS_TEXT: Record<TransactionStatusChange['status'], string> = {
  unspecified: 'Unknown',
  pending: 'Pending',
  confirmed: 'Confirmed',
  failed: 'Failed',
};

interface TransactionCardProps {
  label: string;
  transactionHash: string;
  /** Called once with the last change when the transaction is final or failed. */
  onSettled?: (last: TransactionStatusChange) => void;
}

function ExplorerEntry({ transactionHash }: { transactionHash: string }) {
  const view = useExplorerView();
  let content: React.ReactNode = '…';
  if (view === undefined) content = 'unknown: the Chain service did not say which network';
  else if (view !== 'loading' && view.kind === 'note')
    content = <span className="muted">{view.text}</span>;
  else if (view !== 'loading')
    content = (
      <a
        href={view.explorer.transactionUrl(transactionHash)}
        target="_blank"
        rel="noopener noreferrer"
      >
        Storyscan · {view.explorer.label}
      </a>
    );
  return <dd data-testid="tx-explorer">{content}</dd>;
}

export function TransactionCard({ label, transactionHash, onSettled }: TransactionCardProps) {
  const { chain, announce } = useServices();
  const [change, setChange] = useState<TransactionStatusChange>();
  const [final, setFinal] = useState(false);
  const [lost, setLost] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  const settledRef = useRef(onSettled);
  settledRef.current = onSettled;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is how "Watch again" starts the watch anew.
  useEffect(() => {
    const abort = new AbortController();
    void (async () => {
      setLost(undefined);
      let last: TransactionStatusChange | undefined;
      try {
        for await (const next of chain.watchTransactions([transactionHash], {
          signal: abort.signal,
        })) {
          last = next;
          setChange(next);
        }
        if (abort.signal.aborted) return;
        if (!last) throw new Error('The Chain service ended the watch without a status');
        if (last.status === 'confirmed') setFinal(true);
        announce(
          `${label}: ${last.status === 'confirmed' ? 'confirmed and final' : STATUS_TEXT[last.status].toLowerCase()}`,
        );
        settledRef.current?.(last);
      } catch (err) {
        if (!abort.signal.aborted) setLost(`Lost track of the transaction. ${describeError(err)}`);
      }
    })();
    return () => abort.abort();
  }, [chain, transactionHash, attempt, label, announce]);

  const status = change?.status ?? 'pending';
  let finality = '…';
  if (status === 'failed') finality = 'failed';
  else if (final) finality = 'final';
  else if (status === 'confirmed') finality = 'included, waiting for more confirmations';

  return (
    <article className="tx-card" aria-label={`${label} transaction`} data-tx={transactionHash}>
      <header className="tx-head">
        <h3>{label}</h3>
        <span className={`badge badge-${status}`} data-testid="tx-status">
          {final ? 'Confirmed · final' : STATUS_TEXT[status]}
        </span>
      </header>
      <dl className="facts">
        <dt>Transaction</dt>
        <dd className="mono" title={transactionHash}>
          {shortHex(transactionHash)}
        </dd>
        <dt>Confirmations</dt>
        <dd data-testid="tx-confirmations">{(change?.confirmations ?? 0n).toString()}</dd>
        <dt>Block</dt>
        <dd data-testid="tx-block">
          {change?.blockNumber !== undefined ? `#${change.blockNumber}` : '—'}
        </dd>
        <dt>Finality</dt>
        <dd>{finality}</dd>
        <dt>Explorer</dt>
        <ExplorerEntry transactionHash={transactionHash} />
      </dl>
      {status === 'failed' ? (
        <div className="alert" role="alert">
          The transaction failed: {change?.errorMessage || 'no reason given'}
        </div>
      ) : null}
      {lost ? (
        <div className="alert" role="alert">
          <p>{lost}</p>
          <button type="button" className="secondary" onClick={() => setAttempt((a) => a + 1)}>
            Watch again
          </button>
        </div>
      ) : null}
    </article>
  );
}
