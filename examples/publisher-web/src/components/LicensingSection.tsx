/**
 * Licensing and derivatives of the registered story: its attached terms and derivatives read
 * with connect-query (`useQuery(IpAssetService.method.getIpAsset, …)`), the terms form (presets
 * and custom terms), minting license tokens, the scenario form (in a collection of choice), the
 * scenario's registration followed live, and the royalty flow from the scenario to the story with
 * a panel to pay the scenario and claim its own share.
 */
import { createConnectQueryKey, useQuery } from '@connectrpc/connect-query';
import { CollectionService, type IpAsset, IpAssetService } from '@mystira/chain-protos';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../errors.js';
import { shortHex } from '../format.js';
import type { CreatedCollection } from './CollectionsSection.js';
import { type AttachedTerms, LicenseTermsForm } from './LicenseTermsForm.js';
import { describeTerms } from './license-terms-text.js';
import { MintLicenseTokensForm } from './MintLicenseTokensForm.js';
import { RoyaltiesPanel, type RoyaltiesPanelText } from './RoyaltiesPanel.js';
import { type RegisteredScenario, ScenarioForm } from './ScenarioForm.js';
import { TransactionCard } from './TransactionCard.js';

const SCENARIO_TEXT: RoyaltiesPanelText = {
  table: 'Scenario recipients',
  amount: 'Scenario payment amount',
  pay: 'Pay the scenario',
  to: ' to the scenario',
};

function AttachedTermsList({ asset }: { asset: IpAsset }) {
  if (asset.licenseTerms.length === 0)
    return <p className="muted">No license terms attached yet.</p>;
  return (
    <ul aria-label="Attached license terms" data-testid="attached-terms">
      {asset.licenseTerms.map(({ licenseTermsId, terms }) => (
        <li key={licenseTermsId}>
          Terms #{licenseTermsId}: {describeTerms(terms)}
        </li>
      ))}
    </ul>
  );
}

export function LicensingSection({
  story,
  collections,
}: {
  story: { contentId: string; ipAssetId: string };
  collections: readonly CreatedCollection[];
}) {
  const [terms, setTerms] = useState<AttachedTerms>();
  const [scenario, setScenario] = useState<RegisteredScenario>();
  const [scenarioFinal, setScenarioFinal] = useState(false);
  const queryClient = useQueryClient();
  const asset = useQuery(IpAssetService.method.getIpAsset, {
    asset: { case: 'ipAssetId', value: story.ipAssetId },
  });

  return (
    <>
      <section aria-labelledby="terms-title">
        <h3 id="terms-title">License terms of “{story.contentId}”</h3>
        {asset.isError ? (
          <div className="alert" role="alert">
            {describeError(asset.error)}
          </div>
        ) : asset.data?.ipAsset ? (
          <AttachedTermsList asset={asset.data.ipAsset} />
        ) : (
          <p className="muted">Loading the story’s license terms…</p>
        )}
        <LicenseTermsForm
          ipAssetId={story.ipAssetId}
          onAttached={(attached) => {
            setTerms(attached);
            void asset.refetch();
          }}
        />
      </section>
      <section aria-labelledby="tokens-title">
        <h3 id="tokens-title">License tokens of “{story.contentId}”</h3>
        <MintLicenseTokensForm
          ipAssetId={story.ipAssetId}
          attached={asset.data?.ipAsset?.licenseTerms ?? []}
        />
      </section>
      <section aria-labelledby="scenario-title">
        <h3 id="scenario-title">A scenario, registered as a derivative</h3>
        {terms && !terms.derivativesAllowed ? (
          <p className="muted">
            The terms attached last (#{terms.licenseTermsId}) do not allow derivatives: attach terms
            that do to register a scenario.
          </p>
        ) : terms ? (
          <ScenarioForm
            story={story}
            licenseTermsId={terms.licenseTermsId}
            collections={collections}
            onRegistered={(registered) => {
              setScenarioFinal(false);
              setScenario(registered);
            }}
          />
        ) : (
          <p className="muted">Attach license terms to the story first.</p>
        )}
        {scenario ? (
          <TransactionCard
            key={scenario.transactionHash}
            label={`Registration of the scenario “${scenario.title}”`}
            transactionHash={scenario.transactionHash}
            onSettled={(last) => {
              if (last.status !== 'confirmed') return;
              setScenarioFinal(true);
              void asset.refetch();
              // Its NFT was minted in a collection: the collections read back show one more.
              void queryClient.invalidateQueries({
                queryKey: createConnectQueryKey({
                  schema: CollectionService.method.getCollection,
                  cardinality: undefined,
                }),
              });
            }}
          />
        ) : null}
        {scenario?.collectionAddress ? (
          <p className="muted" data-testid="scenario-nft">
            Its NFT: #{scenario.nftTokenId ?? '?'} in collection{' '}
            <span className="mono">{scenario.collectionAddress}</span>
          </p>
        ) : null}
      </section>
      {scenario && scenarioFinal && terms ? (
        <section aria-labelledby="flow-title">
          <h3 id="flow-title">Royalty flow from the scenario to the story</h3>
          <p data-testid="royalty-flow">
            Scenario {shortHex(scenario.ipAssetId, 8)} → story {shortHex(story.ipAssetId, 8)}:{' '}
            {terms.revenueSharePercent > 0
              ? `${terms.revenueSharePercent} % of every payment to the scenario goes to the story and is split among its contributors (see the claimable balances above).`
              : 'under non-commercial terms the scenario owes the story nothing.'}
          </p>
          {asset.data?.ipAsset ? (
            <p className="muted" data-testid="derivative-count">
              The story has {asset.data.ipAsset.childCount} derivative
              {asset.data.ipAsset.childCount === 1 ? '' : 's'}.
            </p>
          ) : null}
          <RoyaltiesPanel ipAssetId={scenario.ipAssetId} text={SCENARIO_TEXT} />
        </section>
      ) : null}
    </>
  );
}
