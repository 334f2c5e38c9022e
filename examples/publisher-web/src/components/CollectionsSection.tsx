/**
 * SPG NFT collections (mystira.chain.ip.v1.CollectionService through connect-query): create one
 * (CreateCollection: name, symbol, contract URI, max supply), follow its transaction live, and
 * read it back (GetCollection) with what the chain holds: supply, mint fee, owner, status. The
 * collections created here are offered when a scenario is registered (ScenarioForm).
 */
import { useMutation, useQuery } from '@connectrpc/connect-query';
import { uuidv7 } from '@mystira/chain-client/web';
import { CollectionService, OperationStatus } from '@mystira/chain-protos';
import { type FormEvent, useState } from 'react';
import { useServices } from '../chain.js';
import { describeError, violationsByField } from '../errors.js';
import { shortHex } from '../format.js';
import { formatUnits } from '../units.js';
import { FormFooter } from './FormFooter.js';
import { useFieldErrors } from './focus-first-error.js';
import { type TextFieldSpec, TextFields } from './TextField.js';
import { TransactionCard } from './TransactionCard.js';

/** A collection created on this page: what the scenario form offers. */
export interface CreatedCollection {
  address: string;
  name: string;
  symbol: string;
  transactionHash?: string;
}

/** Where each field's server-side violation (its proto path) is shown. */
const FIELD_OF_VIOLATION: Record<string, keyof CollectionErrors> = {
  name: 'name',
  symbol: 'symbol',
  contract_uri: 'contractUri',
  max_supply: 'maxSupply',
};

interface CollectionErrors {
  name?: string;
  symbol?: string;
  contractUri?: string;
  maxSupply?: string;
}

const NO_VALUES = { name: '', symbol: '', contractUri: '', maxSupply: '' };

const FIELDS: readonly TextFieldSpec<keyof CollectionErrors>[] = [
  { key: 'name', name: 'collectionName', label: 'Collection name', hint: 'Its ERC-721 name' },
  {
    key: 'symbol',
    name: 'collectionSymbol',
    label: 'Symbol',
    hint: 'Its ERC-721 symbol, e.g. MYST',
    spellCheck: false,
  },
  {
    key: 'contractUri',
    name: 'contractUri',
    label: 'Contract URI (optional)',
    hint: 'The collection’s own metadata document, e.g. ipfs://…',
    spellCheck: false,
  },
  {
    key: 'maxSupply',
    name: 'maxSupply',
    label: 'Max supply (optional)',
    hint: 'The most NFTs it may ever hold; empty for 4294967295. Minting is free.',
    inputMode: 'numeric',
  },
];

const STATUS_TEXT: Partial<Record<OperationStatus, string>> = {
  [OperationStatus.PENDING]: 'pending',
  [OperationStatus.PROCESSING]: 'created, waiting for confirmations',
  [OperationStatus.CONFIRMED]: 'confirmed',
  [OperationStatus.FAILED]: 'failed',
};

/** One collection read back from the chain (GetCollection); re-read when its creation is final. */
function CollectionDetails({ collection }: { collection: CreatedCollection }) {
  const read = useQuery(CollectionService.method.getCollection, {
    collectionAddress: collection.address,
  });
  const c = read.data?.collection;
  const titleId = `collection-${collection.address}`;
  return (
    <>
      <article
        className="tx-card"
        aria-labelledby={titleId}
        data-testid="collection"
        data-address={collection.address}
      >
        <header className="tx-head">
          <h3 id={titleId}>
            Collection “{collection.name}” ({collection.symbol})
          </h3>
          <button
            type="button"
            className="secondary"
            disabled={read.isFetching}
            onClick={() => void read.refetch()}
          >
            {read.isFetching ? 'Reading…' : 'Read again'}
            <span className="visually-hidden"> “{collection.name}”</span>
          </button>
        </header>
        {read.isError ? (
          <div className="alert" role="alert">
            The collection could not be read. {describeError(read.error)}
          </div>
        ) : !c ? (
          <p className="muted">Reading the collection from the chain…</p>
        ) : (
          <dl className="facts">
            <dt>Address</dt>
            <dd className="mono" title={c.collectionAddress} data-testid="collection-address">
              {c.collectionAddress}
            </dd>
            <dt>Name</dt>
            <dd data-testid="collection-name">{c.name}</dd>
            <dt>Symbol</dt>
            <dd data-testid="collection-symbol">{c.symbol}</dd>
            <dt>Minted</dt>
            <dd data-testid="collection-supply">
              {c.totalSupply} of {c.maxSupply}
            </dd>
            <dt>Mint fee</dt>
            <dd data-testid="collection-fee">
              {c.mintFeeWei === '0' || c.mintFeeWei === ''
                ? 'free'
                : `${formatUnits(BigInt(c.mintFeeWei))} (token ${shortHex(c.mintFeeToken, 6)})`}
            </dd>
            <dt>Minting</dt>
            <dd>
              {c.mintOpen ? 'open' : 'closed'}, {c.publicMinting ? 'anyone' : 'its owner only'}
            </dd>
            <dt>Owner</dt>
            <dd className="mono" title={c.ownerAddress}>
              {shortHex(c.ownerAddress, 8)}
            </dd>
            <dt>Status</dt>
            <dd data-testid="collection-status">{STATUS_TEXT[c.status] ?? 'unknown'}</dd>
          </dl>
        )}
      </article>
      {collection.transactionHash ? (
        <TransactionCard
          label={`Creation of the collection “${collection.name}”`}
          transactionHash={collection.transactionHash}
          onSettled={() => void read.refetch()}
        />
      ) : null}
    </>
  );
}

export function CollectionsSection({
  collections,
  onCreated,
}: {
  collections: readonly CreatedCollection[];
  onCreated: (collection: CreatedCollection) => void;
}) {
  const { announce } = useServices();
  const [values, setValues] = useState(NO_VALUES);
  const { name, symbol, contractUri, maxSupply } = values;
  const [alert, setAlert] = useState<string>();
  const { errors, formRef, showErrors } = useFieldErrors<CollectionErrors>();
  const create = useMutation(CollectionService.method.createCollection);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAlert(undefined);
    const found: CollectionErrors = {};
    if (!name.trim()) found.name = 'Enter the collection’s name.';
    if (!symbol.trim()) found.symbol = 'Enter the collection’s symbol.';
    if (maxSupply.trim() && !/^\d+$/.test(maxSupply.trim()))
      found.maxSupply = 'Enter a whole number, or leave it empty for no practical limit.';
    if (showErrors(found)) return;
    try {
      const answer = await create.mutateAsync({
        name: name.trim(),
        symbol: symbol.trim(),
        contractUri: contractUri.trim(),
        ...(maxSupply.trim() ? { maxSupply: Number(maxSupply.trim()) } : {}),
        idempotencyKey: uuidv7(),
      });
      if (answer.status === OperationStatus.FAILED || !answer.collectionAddress)
        throw new Error(answer.errorMessage || 'The collection was created without an address');
      onCreated({
        address: answer.collectionAddress,
        name: name.trim(),
        symbol: symbol.trim(),
        ...(answer.transactionHash ? { transactionHash: answer.transactionHash } : {}),
      });
      announce(`Collection “${name.trim()}” created at ${answer.collectionAddress}`);
      setValues(NO_VALUES);
    } catch (err) {
      showErrors(violationsByField(err, FIELD_OF_VIOLATION));
      setAlert(`The collection was not created. ${describeError(err)}`);
    }
  };

  return (
    <>
      <p className="muted">
        An SPG NFT collection holds the NFTs of registered IP assets. The Chain service has its own;
        create one to register scenarios in it.
      </p>
      <form
        ref={formRef}
        noValidate
        aria-label="Create a collection"
        onSubmit={(e) => void submit(e)}
      >
        <TextFields fields={FIELDS} values={values} errors={errors} onChange={setValues} />
        <FormFooter
          alert={alert}
          busy={create.isPending}
          label="Create collection"
          busyLabel="Creating…"
        />
      </form>
      {collections.length > 0 ? (
        <section aria-label="Collections created here" className="activity">
          {collections.map((c) => (
            <CollectionDetails key={c.address} collection={c} />
          ))}
        </section>
      ) : null}
    </>
  );
}
