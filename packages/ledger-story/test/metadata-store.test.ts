/**
 * The metadata stores: the embedded one names documents as IPFS would (CIDv1 raw SHA-256 of the
 * canonical bytes) and the Pinata adapter speaks Pinata's pinning API, here served by a local HTTP
 * server that behaves as Pinata documents it (bearer auth, pinJSONToIPFS, a gateway).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/metadata/canonical-json.js';
import { registrationDocuments } from '../src/metadata/documents.js';
import { pinataStore } from '../src/metadata/pinata.js';
import { contentAddressedStore, contentId, MetadataStoreError } from '../src/metadata/store.js';

const documents = registrationDocuments({
  contentId: 'story-1',
  title: 'The Lighthouse',
  contributors: [
    { wallet: `0x${'1'.repeat(40)}`, shareBps: 6667, displayName: 'Ada' },
    { wallet: `0x${'2'.repeat(40)}`, shareBps: 3333 },
  ],
  createdAt: new Date('2026-12-07T00:00:00Z'),
});

describe('contentAddressedStore', () => {
  it('addresses a document by the CIDv1 of its canonical bytes, the same every time', async () => {
    const store = contentAddressedStore();
    const a = await store.put(documents.ip);
    const again = await store.put(JSON.parse(JSON.stringify(documents.ip)));
    expect(again).toEqual(a);
    expect(a.cid).toBe(await contentId(new TextEncoder().encode(canonicalJson(documents.ip))));
    expect(a.uri).toBe(`ipfs://${a.cid}`);
    expect(a.cid).toMatch(/^bafkrei[a-z2-7]{52}$/);
    expect(await store.get(a.uri)).toEqual(documents.ip);
    expect(await store.get(`https://gateway.example/ipfs/${a.cid}`)).toEqual(documents.ip);
    expect(await store.get('ipfs://bafkreinothere')).toBeUndefined();
    expect(store.size).toBe(1);
  });

  it('keeps contribution shares as percent and the content id in the IP document', () => {
    expect(documents.ip.creators.map((c) => c.contributionPercent)).toEqual([66.67, 33.33]);
    expect(documents.ip.contentId).toBe('story-1');
    expect(documents.nft.attributes).toEqual([
      { trait_type: 'Mystira content id', value: 'story-1' },
    ]);
  });

  it("links the caller's own metadata document when the registration names one, else leaves it out", () => {
    expect(documents.ip).not.toHaveProperty('contentMetadataUri');
    expect(documents.nft).not.toHaveProperty('external_url');
    const linked = registrationDocuments({
      contentId: 'story-1',
      title: 'The Lighthouse',
      contributors: [],
      createdAt: new Date('2026-12-07T00:00:00Z'),
      contentMetadataUri: 'https://mystira.example/stories/story-1.json',
    });
    expect(linked.ip.contentMetadataUri).toBe('https://mystira.example/stories/story-1.json');
    expect(linked.nft.external_url).toBe('https://mystira.example/stories/story-1.json');
  });
});

describe('pinataStore against a Pinata-shaped server', () => {
  const pinned = new Map<string, string>();
  let server: http.Server;
  let base: string;
  let slowMs = 0;
  beforeAll(async () => {
    server = http.createServer(async (req, res) => {
      if (req.method === 'POST' && req.url === '/pinning/pinJSONToIPFS') {
        if (req.headers.authorization !== 'Bearer good-jwt') {
          res
            .writeHead(401, { 'content-type': 'application/json' })
            .end('{"error":"Invalid API key"}');
          return;
        }
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        expect(body.pinataOptions).toEqual({ cidVersion: 1 });
        const bytes = Buffer.from(JSON.stringify(body.pinataContent));
        const cid = await contentId(bytes);
        pinned.set(cid, bytes.toString('utf8'));
        await new Promise((r) => setTimeout(r, slowMs));
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            IpfsHash: cid,
            PinSize: bytes.length,
            Timestamp: new Date().toISOString(),
          }),
        );
        return;
      }
      const cid = /^\/ipfs\/([a-z0-9]+)$/.exec(req.url ?? '')?.[1];
      if (req.method === 'GET' && cid === 'huge') {
        res.writeHead(200).end(`"${'x'.repeat(4096)}"`);
      } else if (req.method === 'GET' && cid && pinned.has(cid)) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(pinned.get(cid));
      } else res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  const store = (jwt = 'good-jwt', extra = {}) =>
    pinataStore({ jwt, apiUrl: base, gatewayUrl: `${base}/ipfs/`, timeoutMs: 2000, ...extra });

  it('pins a document and reads it back through the gateway', async () => {
    const stored = await store().put(documents.nft);
    expect(stored.uri).toBe(`ipfs://${stored.cid}`);
    expect(await store().get(stored.uri)).toEqual(documents.nft);
    expect(await store().get('ipfs://bafkreimissing')).toBeUndefined();
  });

  it('a refused token is a MetadataStoreError with the status', async () => {
    const error = await store('bad')
      .put(documents.nft)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetadataStoreError);
    expect((error as MetadataStoreError).status).toBe(401);
    expect(String(error)).not.toContain('bad');
  });

  it('puts a deadline on every request and a size limit on every read', async () => {
    slowMs = 500;
    try {
      await expect(store('good-jwt', { timeoutMs: 100 }).put(documents.ip)).rejects.toThrow(
        MetadataStoreError,
      );
    } finally {
      slowMs = 0;
    }
    await expect(store('good-jwt', { maxDocumentBytes: 1024 }).get('ipfs://huge')).rejects.toThrow(
      /over the 1024-byte limit/,
    );
    const aborted = AbortSignal.abort();
    await expect(store().put(documents.ip, aborted)).rejects.toThrow(MetadataStoreError);
  });

  it('needs a token', () => {
    expect(() => pinataStore({ jwt: '' })).toThrow(MetadataStoreError);
  });
});
