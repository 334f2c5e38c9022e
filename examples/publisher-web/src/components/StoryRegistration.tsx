/**
 * Step 2: the story's registration followed live to final, then its IP asset id (with a link to
 * Story's IP explorer on a public network).
 */
import type { IpAssetRegistration, RegisterIpAssetInput } from '@mystira/chain-client/web';
import { useState } from 'react';
import { useServices } from '../chain.js';
import { useExplorerView } from './explorer-view.js';
import { TransactionCard } from './TransactionCard.js';

export interface Registration {
  input: RegisterIpAssetInput;
  result: IpAssetRegistration;
  transactionHash: string;
}

function IpExplorerLink({ ipAssetId }: { ipAssetId: string }) {
  const view = useExplorerView();
  if (view === 'loading' || view?.kind !== 'links') return null;
  return (
    <>
      {' · '}
      <a
        href={view.explorer.ipAssetUrl(ipAssetId)}
        target="_blank"
        rel="noopener noreferrer"
        data-testid="ip-explorer"
      >
        on {view.explorer.label}'s IP explorer
      </a>
    </>
  );
}

export function StoryRegistration({
  registration,
  onFinal,
}: {
  registration: Registration | undefined;
  /** The story is final on the chain, with this IP asset id. */
  onFinal: (ipAssetId: string) => void;
}) {
  const { chain } = useServices();
  const [final, setFinal] = useState<string>();
  const [problem, setProblem] = useState<string>();
  if (!registration) return <p className="muted">Nothing registered yet.</p>;
  const { input, result, transactionHash } = registration;
  return (
    <div>
      <TransactionCard
        label={`Registration of “${input.contentTitle}”`}
        transactionHash={transactionHash}
        onSettled={(last) => {
          if (last.status !== 'confirmed') return;
          void (async () => {
            const ipAssetId =
              result.ipAssetId ?? (await chain.getIpAssetStatus(input.contentId)).ipAssetId;
            if (!ipAssetId) {
              setProblem('The registration is final but the chain reports no IP asset id');
              return;
            }
            setFinal(ipAssetId);
            onFinal(ipAssetId);
          })().catch((err: unknown) => setProblem(String(err)));
        }}
      />
      <p className="muted" data-testid="asset-id">
        IP asset {final ?? result.ipAssetId ?? '(assigned when final)'}
        {final ? <IpExplorerLink ipAssetId={final} /> : null}
      </p>
      {problem ? (
        <div className="alert" role="alert">
          {problem}
        </div>
      ) : null}
    </div>
  );
}
