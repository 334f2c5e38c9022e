/**
 * Licensing and derivatives of the registered story: its attached terms and derivatives read
 * with connect-query (`useQuery(IpAssetService.method.getIpAsset, …)`), the terms form, the
 * scenario form, the scenario's registration followed live, and the royalty flow from the
 * scenario to the story with a panel to pay the scenario and claim its own share.
 */
import { useQuery } from '@connectrpc/connect-query';
import { type IpAsset, IpAssetService } from '@mystira/chain-protos';
import { useState } from 'react';
import { describeError } from '../errors.js';
import { shortHex } from '../format.js';
import { type AttachedTerms, LicenseTermsForm } from './LicenseTermsForm.js';
import { RoyaltiesPanel, type RoyaltiesPanelText } from './RoyaltiesPanel.js';
import { type RegisteredScenario, ScenarioForm } from './ScenarioForm.js';
import { TransactionCard } from './TransactionCard.js';

const SCENARIO_TEXT: RoyaltiesPanelText = {
  table: 'Scenario recipients',
  amount: 'Scenario payment amount',
  pay: 'Pay the scenario',
  to: ' to the scenario',
};

/** PIL counts revenue shares in millionths of a percent. */
const percentOf = (microPercent: number) => `${microPercent / 1_000_000} %`;

function AttachedTermsList({ asset }: { asset: IpAsset }) {
  if (asset.licenseTerms.length === 0)
    return <p className="muted">No license terms attached yet.</p>;
  return (
    <ul aria-label="Attached license terms" data-testid="attached-terms">
      {asset.licenseTerms.map(({ licenseTermsId, terms }) => (
        <li key={licenseTermsId}>
          Terms #{licenseTermsId}: {terms?.commercialUse ? 'commercial use' : 'non-commercial'},{' '}
          {terms?.derivativesAllowed ? 'derivatives allowed' : 'no derivatives'}
          {terms?.commercialUse
            ? `, derivatives owe ${percentOf(terms.commercialRevShareMicroPercent)} of their revenue`
            : ''}
        </li>
      ))}
    </ul>
  );
}

export function LicensingSection({ story }: { story: { contentId: string; ipAssetId: string } }) {
  const [terms, setTerms] = useState<AttachedTerms>();
  const [scenario, setScenario] = useState<RegisteredScenario>();
  const [scenarioFinal, setScenarioFinal] = useState(false);
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
      <section aria-labelledby="scenario-title">
        <h3 id="scenario-title">A scenario, registered as a derivative</h3>
        {terms ? (
          <ScenarioForm
            story={story}
            licenseTermsId={terms.licenseTermsId}
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
            }}
          />
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
