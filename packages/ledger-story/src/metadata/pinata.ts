/**
 * Metadata on IPFS through Pinata's pinning API, for production: `pinJSONToIPFS` with CIDv1 (as
 * the Python service pinned), reads through an IPFS gateway.
 *
 * Unlike the Python service, which answered the gateway URL, the URI put on chain is
 * `ipfs://<cid>`: it names the content, not one company's gateway. A put is idempotent (the same
 * document pins under the same CID), so callers may retry it. Every request has a deadline, and a
 * gateway answer is read only up to `maxDocumentBytes`.
 */
import type { JsonValue } from './canonical-json.js';
import { cidOf, type MetadataStore, MetadataStoreError, type StoredDocument } from './store.js';

/** Options of {@link pinataStore}. */
export interface PinataStoreOptions {
  /** A Pinata API JWT (scoped to pinning); sent as a bearer token, never logged. */
  jwt: string;
  /** Pinata's API. Default `https://api.pinata.cloud`. */
  apiUrl?: string;
  /** The gateway documents are read through. Default `https://gateway.pinata.cloud/ipfs/`. */
  gatewayUrl?: string;
  /** Deadline of each request. Default 10 000 ms. */
  timeoutMs?: number;
  /** Largest document read back. Default 1 MiB. */
  maxDocumentBytes?: number;
  /** The fetch to use (tests, proxies). Default the global `fetch`. */
  fetch?: typeof fetch;
}

/** A {@link MetadataStore} that pins documents on IPFS through Pinata. */
export function pinataStore(options: PinataStoreOptions): MetadataStore {
  if (!options.jwt) throw new MetadataStoreError('pinataStore: jwt is required');
  const apiUrl = (options.apiUrl ?? 'https://api.pinata.cloud').replace(/\/$/, '');
  const gateway = (options.gatewayUrl ?? 'https://gateway.pinata.cloud/ipfs/').replace(/\/?$/, '/');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxDocumentBytes ?? 1024 * 1024;
  const doFetch = options.fetch ?? fetch;
  const deadline = (signal?: AbortSignal) =>
    signal
      ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);

  async function request(url: string, init: RequestInit, what: string): Promise<Response> {
    try {
      return await doFetch(url, init);
    } catch (error) {
      throw new MetadataStoreError(`${what} failed: ${(error as Error).message}`, undefined, {
        cause: error,
      });
    }
  }

  return {
    async put(document, signal): Promise<StoredDocument> {
      const response = await request(
        `${apiUrl}/pinning/pinJSONToIPFS`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${options.jwt}`, 'content-type': 'application/json' },
          body: JSON.stringify({ pinataOptions: { cidVersion: 1 }, pinataContent: document }),
          signal: deadline(signal),
        },
        'pinning on Pinata',
      );
      const body = await readLimited(response, 64 * 1024);
      if (!response.ok) {
        throw new MetadataStoreError(
          `Pinata refused the pin: HTTP ${response.status} ${body.slice(0, 200)}`,
          response.status,
        );
      }
      const cid = (JSON.parse(body) as { IpfsHash?: unknown }).IpfsHash;
      if (typeof cid !== 'string' || !/^[a-z0-9]+$/i.test(cid)) {
        throw new MetadataStoreError('Pinata answered without an IpfsHash', response.status);
      }
      return { uri: `ipfs://${cid}`, cid };
    },

    async get(uri, signal) {
      const cid = cidOf(uri);
      if (cid === undefined) return undefined;
      const response = await request(
        `${gateway}${cid}`,
        { signal: deadline(signal) },
        'reading from the IPFS gateway',
      );
      if (response.status === 404) return undefined;
      const body = await readLimited(response, maxBytes);
      if (!response.ok) {
        throw new MetadataStoreError(
          `the IPFS gateway answered HTTP ${response.status}`,
          response.status,
        );
      }
      return JSON.parse(body) as JsonValue;
    },
  };
}

/** The response body as text, refusing (and cancelling) one larger than `limit` bytes. */
async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new MetadataStoreError(
      `document of ${declared} bytes is over the ${limit}-byte limit`,
      response.status,
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    // Throwing out of the loop cancels the stream (the iterator's return()).
    if (size > limit)
      throw new MetadataStoreError(`document is over the ${limit}-byte limit`, response.status);
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
