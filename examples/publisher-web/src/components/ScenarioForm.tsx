/**
 * Registering a scenario of the story as its derivative: IpAssetService.MintAndRegisterIpAsset
 * with the story as parent under the attached terms (on Story, registration is the only moment a
 * parent link can be made), the scenario's title as IP metadata JSON (the server stores the bytes
 * and registers their keccak256), its author's wallet as the royalty share, and the SPG
 * collection its NFT is minted in (the Chain service's own, or one created on this page). Called
 * through connect-query's mutation hook with the generated service descriptor.
 */
import { useMutation } from '@connectrpc/connect-query';
import { uuidv7 } from '@mystira/chain-client/web';
import { ContributorRole, IpAssetService } from '@mystira/chain-protos';
import { type FormEvent, useState } from 'react';
import { describeError, fieldViolationsOf } from '../errors.js';
import { sentence } from '../format.js';
import type { CreatedCollection } from './CollectionsSection.js';
import { Field } from './Field.js';
import { FormFooter } from './FormFooter.js';
import { type TextFieldSpec, TextFields } from './TextField.js';

const WALLET = /^0x[0-9a-fA-F]{40}$/;

const FIELDS: readonly TextFieldSpec<'contentId' | 'title' | 'wallet'>[] = [
  { key: 'contentId', name: 'scenarioContentId', label: 'Scenario content id', spellCheck: false },
  {
    key: 'title',
    name: 'scenarioTitle',
    label: 'Scenario title',
    hint: 'Registered as the scenario’s IP metadata',
  },
  {
    key: 'wallet',
    name: 'scenarioWallet',
    label: 'Scenario author’s wallet',
    hint: 'Receives the scenario’s share of its revenue',
    spellCheck: false,
    placeholder: '0x…',
  },
];

export interface RegisteredScenario {
  contentId: string;
  title: string;
  ipAssetId: string;
  transactionHash: string;
  /** The collection the scenario's NFT was minted in, and the NFT's token id. */
  collectionAddress?: string;
  nftTokenId?: string;
}

export function ScenarioForm({
  story,
  licenseTermsId,
  collections,
  onRegistered,
}: {
  story: { contentId: string; ipAssetId: string };
  licenseTermsId: string;
  /** Collections created on this page; "" in the choice is the Chain service's own. */
  collections: readonly CreatedCollection[];
  onRegistered: (scenario: RegisteredScenario) => void;
}) {
  const [values, setValues] = useState({
    contentId: `${story.contentId}/scenario-1`,
    title: '',
    wallet: '',
  });
  const { contentId, title, wallet } = values;
  const [collection, setCollection] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [alert, setAlert] = useState<string>();
  const mint = useMutation(IpAssetService.method.mintAndRegisterIpAsset);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAlert(undefined);
    const found: Record<string, string> = {};
    if (!contentId.trim()) found.contentId = 'Enter the scenario’s content id.';
    if (!title.trim()) found.title = 'Enter the scenario’s title.';
    if (!WALLET.test(wallet.trim())) found.wallet = 'A wallet is 0x followed by 40 hex digits.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    try {
      const answer = await mint.mutateAsync({
        contentId: contentId.trim(),
        collectionAddress: collection,
        ipMetadata: {
          source: {
            case: 'json',
            value: JSON.stringify({ title: title.trim(), parent: story.contentId }),
          },
        },
        royaltyShares: [
          { walletAddress: wallet.trim(), role: ContributorRole.AUTHOR, shareBasisPoints: 10_000 },
        ],
        parents: [{ ipAssetId: story.ipAssetId, licenseTermsId }],
        idempotencyKey: uuidv7(),
      });
      if (!answer.ipAssetId || !answer.transactionHash)
        throw new Error(answer.errorMessage || 'The scenario was registered without a transaction');
      onRegistered({
        contentId: contentId.trim(),
        title: title.trim(),
        ipAssetId: answer.ipAssetId,
        transactionHash: answer.transactionHash,
        ...(answer.collectionAddress ? { collectionAddress: answer.collectionAddress } : {}),
        ...(answer.nftTokenId ? { nftTokenId: answer.nftTokenId } : {}),
      });
    } catch (err) {
      const placed: Record<string, string> = {};
      for (const v of fieldViolationsOf(err)) {
        if (v.field === 'content_id') placed.contentId = sentence(v.description);
        if (v.field.startsWith('royalty_shares')) placed.wallet = sentence(v.description);
        if (v.field === 'collection_address') placed.collection = sentence(v.description);
      }
      setErrors(placed);
      setAlert(`The scenario was not registered. ${describeError(err)}`);
    }
  };

  return (
    <form noValidate aria-label="Register a scenario" onSubmit={(e) => void submit(e)}>
      <TextFields fields={FIELDS} values={values} errors={errors} onChange={setValues} />
      <Field
        label="Collection"
        hint="The SPG NFT collection the scenario’s NFT is minted in"
        error={errors.collection}
      >
        <select
          name="scenarioCollection"
          value={collection}
          onChange={(e) => setCollection(e.target.value)}
        >
          <option value="">The Chain service’s collection</option>
          {collections.map((c) => (
            <option key={c.address} value={c.address}>
              {c.name} ({c.symbol}) · {c.address}
            </option>
          ))}
        </select>
      </Field>
      <FormFooter
        alert={alert}
        busy={mint.isPending}
        label="Register scenario as derivative"
        busyLabel="Registering…"
      />
    </form>
  );
}
