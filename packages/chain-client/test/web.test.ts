/// <reference lib="dom" />
/**
 * The web entry: its bundle pulls in no Node built-ins, and it works in a real browser (Debian's
 * Chromium driven by playwright-core, no browser download) against a Connect server with CORS,
 * with a unary call, a server stream and an error with field violations, over Connect and gRPC-Web.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { TransactionStatus } from '@mystira/chain-protos';
import { createChainServer, DevnetLedger } from '@mystira/chain-server';
import * as esbuild from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PageServer, servePage } from '../../chain-server/test/support/page-server.js';
import { FakeLedger, type RunningServer } from './support/fake-chain.js';
import { serveFakeWithIp } from './support/fake-ip.js';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What the browser entry may cost a page, minified and gzipped (53.8 KiB in December 2026; 59.6
 * KiB with `client.ip`, whose three services' descriptors and conversions it adds; the bench
 * report records it run by run). Raise it on purpose, in the same change that needs it.
 */
const WEB_GZIP_BUDGET_KIB = 61;

describe('web bundle', () => {
  it(`stays within ${WEB_GZIP_BUDGET_KIB} KiB minified and gzipped`, async () => {
    const result = await esbuild.build({
      entryPoints: [join(pkg, 'dist/web.js')],
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const gzipKiB = gzipSync(result.outputFiles[0]!.contents).length / 1024;
    expect(gzipKiB).toBeLessThanOrEqual(WEB_GZIP_BUDGET_KIB);
  });

  it('bundles dist/web.js for the browser without a single node: import', async () => {
    const result = await esbuild.build({
      entryPoints: [join(pkg, 'dist/web.js')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('connect-node'))).toBe(false);
    for (const out of Object.values(result.metafile.outputs)) {
      expect(out.imports.filter((i) => i.external)).toEqual([]);
    }
    const code = result.outputFiles[0]?.text ?? '';
    expect(code).not.toMatch(/["']node:[a-z_/]+["']/);
    expect(code).not.toMatch(/require\(["'](http2|http|https|net|tls|zlib|crypto|fs|stream)["']\)/);
  });
});

describe('in Chromium', () => {
  let api: RunningServer;
  let page: PageServer;
  let pageUrl: string;
  let browser: Browser;
  const ledger = new FakeLedger();
  const h1 = `0x${'1'.repeat(64)}`;
  const h2 = `0x${'2'.repeat(64)}`;

  beforeAll(async () => {
    ledger.set(h1, { status: TransactionStatus.FAILED, confirmations: 0n });
    ledger.set(h2, { status: TransactionStatus.CONFIRMED, confirmations: 3n });
    // Browsers speak HTTP/1.1 to a cleartext origin: the API server is HTTP/1.1 + CORS, on
    // another port than the page, so every call is cross-origin. It serves the IP services too.
    api = await serveFakeWithIp({ ledger }, { http1: true, cors: true });
    page = await servePage(join(here, 'browser/page.ts'));
    pageUrl = `${page.origin}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await page?.close();
    await api?.close();
  });

  /** Opens the page with `query` in a new tab and returns what it reported in `window.__result`. */
  async function pageResult(query: URLSearchParams): Promise<unknown> {
    const p = await browser.newPage();
    try {
      await p.goto(`${pageUrl}?${query}`);
      await p.waitForFunction(() => window.__result !== undefined, undefined, {
        timeout: 20_000,
      });
      return await p.evaluate(() => window.__result);
    } finally {
      await p.close();
    }
  }

  it.each(['connect', 'grpc-web'])(
    'calls @mystira/chain-server (CORS, HTTP/1.1) over %s',
    async (protocol) => {
      const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 2 });
      const server = createChainServer({ ledger, corsOrigins: ['*'] });
      const { port } = await server.listen(0);
      try {
        const asset = await ledger.registerAsset({
          contentId: 'web-content',
          title: 'Web',
          contributors: [{ wallet: `0x${'a'.repeat(40)}`, type: 3, shareBps: 10000 }],
        });
        ledger.mine(2);
        const q = new URLSearchParams({
          mode: 'chain-server',
          server: `http://127.0.0.1:${port}`,
          protocol,
          content: 'web-content',
          hash: asset.txHash,
        });
        const result = await pageResult(q);
        expect(result).toMatchObject({
          ok: true,
          network: 'devnet',
          registered: true,
          updates: ['confirmed:2'],
          invalid: { name: 'ChainInvalidArgumentError' },
        });
        expect((result as { invalid: { fields: string[] } }).invalid.fields.length).toBeGreaterThan(
          0,
        );
      } finally {
        await server.close({ deadlineMs: 500 });
      }
    },
    60_000,
  );

  it.each(['connect', 'grpc-web'])(
    'calls the IP services through client.ip over %s',
    async (protocol) => {
      const result = (await pageResult(
        new URLSearchParams({ mode: 'ip', server: api.url, protocol }),
      )) as { attached: string[] };
      expect(result).toMatchObject({
        ok: true,
        termsIdIsBigint: true,
        fee: '1000000000000000000',
        keyIsUuidV7: true,
        registeredAt: '2026-03-04T05:06:07.089Z',
        json: '{"title":"Web"}',
        invalid: {
          name: 'ChainInvalidArgumentError',
          fieldViolations: [
            {
              field: 'commercial_use.currency_token',
              inputField: 'currencyToken',
              description: 'must be 0x followed by 40 hex digits',
            },
          ],
        },
      });
      expect(result.attached).toHaveLength(1);
      expect(result.attached[0]).toMatch(/^\d+:lap$/);
    },
    60_000,
  );

  it.each(['connect', 'grpc-web'])(
    'calls the Chain service over %s',
    async (protocol) => {
      const q = new URLSearchParams({ server: api.url, protocol });
      q.append('hash', h1);
      q.append('hash', h2);
      const result = await pageResult(q);
      expect(result).toMatchObject({
        ok: true,
        serviceName: 'fake-chain',
        amountIsBigint: true,
        amount: '12345678901234567890',
        paidAt: '2026-01-02T03:04:05.678Z',
        batchError: 'ChainUnsupportedError',
        invalid: {
          name: 'ChainInvalidArgumentError',
          fieldViolations: [
            {
              field: 'amount_wei',
              inputField: 'amountWei',
              description: 'must be positive',
              reason: 'INVALID',
            },
          ],
        },
      });
      expect((result as { updates: string[] }).updates.sort()).toEqual([
        `${h1}:failed:0`,
        `${h2}:confirmed:3`,
      ]);
      expect((result as { userAgent: string }).userAgent).toContain('Chrome');
    },
    60_000,
  );
});
