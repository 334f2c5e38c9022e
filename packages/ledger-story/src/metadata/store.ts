/**
 * Where metadata documents live: a small port, an embedded content-addressed store for
 * development and tests, and (in pinata.ts) IPFS pinning for production.
 *
 * Addresses are IPFS content ids (CIDv1, raw codec, SHA-256, base32: `bafkrei…`) of the
 * document's canonical JSON bytes, which is the CID IPFS itself gives a single-block file of those
 * bytes. So the embedded store names a document exactly as IPFS would, the same document always
 * gets the same URI (a retried registration does not mint a second URI), and a reader can check a
 * document against its address.
 */
import { brandErrors } from '../../../../shared/error-brand.js';
import { canonicalJson, type JsonValue } from './canonical-json.js';

/** A stored document's address. */
export interface StoredDocument {
  /** `ipfs://<cid>`: the URI to put on chain. */
  uri: string;
  /** The CIDv1 of the stored bytes. */
  cid: string;
}

/** The port: store a JSON document, read one back by its URI. */
export interface MetadataStore {
  /** Stores `document`; resolves with its address. Storing the same document again is harmless. */
  put(document: JsonValue, signal?: AbortSignal): Promise<StoredDocument>;
  /** The document at `uri`, or undefined when this store does not have it. */
  get(uri: string, signal?: AbortSignal): Promise<JsonValue | undefined>;
}

/** A store refused or failed a request (`status` is the HTTP status, when there was one). */
export class MetadataStoreError extends Error {
  /** Always `MetadataStoreError`. */
  override readonly name = 'MetadataStoreError';
  constructor(
    message: string,
    /** The HTTP status of the failed request, when there was one. */
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

brandErrors('@mystira/ledger-story', { MetadataStoreError });

/** The CIDv1 (raw, SHA-256) of `bytes`, as IPFS names a single-block file. */
export async function contentId(bytes: Uint8Array): Promise<string> {
  // multiformats is ESM only: a dynamic import lets the CommonJS build load it too.
  const [{ CID }, raw, { sha256 }] = await Promise.all([
    import('multiformats/cid'),
    import('multiformats/codecs/raw'),
    import('multiformats/hashes/sha2'),
  ]);
  return CID.create(1, raw.code, await sha256.digest(bytes)).toString();
}

/** The CID in an `ipfs://<cid>` URI or an `https://<gateway>/ipfs/<cid>` URL, if any. */
export function cidOf(uri: string): string | undefined {
  const match = /^ipfs:\/\/([a-z0-9]+)$/i.exec(uri) ?? /\/ipfs\/([a-z0-9]+)\/?$/i.exec(uri);
  return match?.[1];
}

/** The embedded store: a {@link MetadataStore} that also counts its documents. */
export interface ContentAddressedStore extends MetadataStore {
  /** How many distinct documents it holds. */
  readonly size: number;
}

/**
 * The embedded store: documents in memory, addressed by content. Give several ledgers (or a
 * ledger and its restarted self, in tests) the same instance to share documents.
 */
export function contentAddressedStore(): ContentAddressedStore {
  const documents = new Map<string, Uint8Array>();
  const encoder = new TextEncoder();
  return {
    get size() {
      return documents.size;
    },
    async put(document) {
      const bytes = encoder.encode(canonicalJson(document));
      const cid = await contentId(bytes);
      documents.set(cid, bytes);
      return { uri: `ipfs://${cid}`, cid };
    },
    async get(uri) {
      const cid = cidOf(uri);
      const bytes = cid === undefined ? undefined : documents.get(cid);
      return bytes === undefined
        ? undefined
        : (JSON.parse(new TextDecoder().decode(bytes)) as JsonValue);
    },
  };
}
