/**
 * The main entry loads and works in a real browser (headless Chromium): no Node built-ins, the
 * conformance cases pass there too, and SHA-256 from @noble/hashes (what browsers run; Node uses
 * node:crypto) gives the same spec hash as Node. The page resolves the package's one dependency
 * with an import map, as a bundler would.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize as normalizePath } from 'node:path';
import { Probe, spec } from '@mystira/specification';
import { afterAll, beforeAll, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const dist = join(import.meta.dirname, '..', 'dist');

const noble = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'node_modules',
  '@noble',
  'hashes',
  'esm',
);
const importMap = JSON.stringify({
  imports: {
    '@noble/hashes/sha2': '/@noble/hashes/sha2.js',
    '@noble/hashes/utils': '/@noble/hashes/utils.js',
    '@noble/hashes/crypto': '/@noble/hashes/crypto.js',
  },
});

const page = `<!doctype html><meta charset="utf-8"><body>pending<script type="importmap">${importMap}</script><script type="module">
import { any, canonicalJson, conformanceCases, count, evaluate, Probe, probeRows, spec } from './index.js';
const failures = [];
for (const c of conformanceCases) {
  const s = c.spec(spec(Probe));
  const e = c.expect;
  let got;
  if ('ids' in e) got = evaluate(s, probeRows).map((r) => r.id);
  if ('count' in e) got = count(s, probeRows);
  if ('any' in e) got = any(s, probeRows);
  if ('items' in e) got = evaluate(s, probeRows);
  const want = 'ids' in e ? e.ids : 'count' in e ? e.count : 'any' in e ? e.any : e.items;
  if (canonicalJson(got) !== canonicalJson(want)) failures.push(c.id);
}
const hash = spec(Probe).where((w) => w.and(w.eq('name', 'x'), w.gt('amount', 5n))).orderBy('at', 'desc').take(3).hash();
document.body.textContent = 'RESULT' + JSON.stringify({ cases: conformanceCases.length, failures, hash, hasProcess: typeof process !== 'undefined' });
</script>`;

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    const [root, path] = url.pathname.startsWith('/@noble/hashes/')
      ? [noble, url.pathname.slice('/@noble/hashes'.length)]
      : [dist, url.pathname];
    const file = normalizePath(join(root, path));
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

function dumpDom(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--virtual-time-budget=20000',
        '--dump-dom',
        url,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

it.skipIf(!existsSync(CHROMIUM))(
  'the main entry runs in Chromium and agrees with Node',
  { timeout: 60_000 },
  async () => {
    const dom = await dumpDom(base);
    const json = /RESULT(\{.*?\})\s*</s.exec(dom)?.[1];
    expect(json, dom.slice(0, 500)).toBeDefined();
    const result = JSON.parse(json!);
    expect(result.hasProcess).toBe(false);
    expect(result.failures).toEqual([]);
    expect(result.cases).toBeGreaterThan(40);
    const nodeHash = spec(Probe)
      .where((w) => w.and(w.eq('name', 'x'), w.gt('amount', 5n)))
      .orderBy('at', 'desc')
      .take(3)
      .hash();
    expect(result.hash).toBe(nodeHash);
  },
);
