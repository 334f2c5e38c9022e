/**
 * Browsers call it unchanged: Debian's Chromium (driven by playwright-core, no browser download)
 * loads a page from one origin and calls the server on another over HTTP/1.1 (the plaintext port
 * sniffs it apart from h2c), with CORS, API-key auth, Connect and gRPC-Web, unary and server
 * streaming.
 */
import { join } from 'node:path';
import { DevnetLedger, hashApiKey } from '@mystira/chain-server';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Running, startServer } from './helpers.js';
import { type PageServer, servePage } from './support/page-server.js';

let api: Running;
let page: PageServer;
let browser: Browser;

beforeAll(async () => {
  page = await servePage(join(import.meta.dirname, 'browser/page.ts'));
  api = await startServer({
    ledger: new DevnetLedger({ blockIntervalMs: 50, requiredConfirmations: 1 }),
    corsOrigins: [page.origin],
    auth: {
      apiKeys: [
        { id: 'browser', sha256: hashApiKey('browser-key'), scopes: ['chain:read', 'chain:write'] },
      ],
    },
  });
  // Blocks are produced while the page watches its transactions.
  api.ledger.start();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
});

afterAll(async () => {
  await browser?.close();
  api.ledger.stop();
  await api.close();
  await page?.close();
});

it('Connect and gRPC-Web from Chromium, cross-origin with CORS', async () => {
  const tab = await browser.newPage();
  const errors: string[] = [];
  tab.on('console', (m) => errors.push(m.text()));
  tab.on('pageerror', (e) => errors.push(String(e)));
  await tab.goto(`${page.origin}/?api=${encodeURIComponent(api.baseUrl)}`);
  await tab.waitForFunction(
    () => (window as { results?: unknown }).results !== undefined,
    undefined,
    { timeout: 20_000 },
  );
  const results = await tab.evaluate(() => (window as { results?: unknown }).results);
  expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
  // Blocks come every 50 ms: a watch may start after the transaction was confirmed already,
  // so it ends with CONFIRMED (2), possibly after PENDING (1).
  expect(results).toMatchObject({
    connect_info: 'devnet',
    connect_error: 'InvalidArgument',
    grpcweb_info: 'devnet',
    grpcweb_error: 'InvalidArgument',
  });
  const r = results as Record<string, number[]>;
  for (const name of ['connect_watch', 'grpcweb_watch']) expect(r[name]?.at(-1), name).toBe(2);
  expect(Object.keys(r).filter((k) => k.endsWith('_failed'))).toEqual([]);
});
