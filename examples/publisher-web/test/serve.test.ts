/**
 * servePublisherWeb over plain HTTP: the generated /config.json, content types and caching,
 * what it refuses (other methods, paths outside dist/), and the error when dist/ is missing.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPublisherWeb, servePublisherWeb } from '../serve.ts';

describe('servePublisherWeb', () => {
  let dist: string;
  let web: RunningPublisherWeb;

  beforeAll(async () => {
    // A stand-in build, so this test needs neither Vite nor a browser.
    dist = await mkdtemp(join(tmpdir(), 'publisher-web-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>page</title>');
    await writeFile(join(dist, 'assets/index-abc123.js'), 'console.log(1)');
    await writeFile(join(dist, 'assets/index-abc123.css'), 'body{}');
    await writeFile(join(dist, '..', 'secret.txt'), 'outside dist');
    web = await servePublisherWeb({ chainUrl: 'http://127.0.0.1:50051/', distDir: dist });
  });

  afterAll(async () => {
    await web?.close();
    await rm(dist, { recursive: true, force: true });
    await rm(join(dist, '..', 'secret.txt'), { force: true });
  });

  it('serves the generated /config.json, never cached, with nothing secret in it', async () => {
    const res = await fetch(`${web.url}/config.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    // Only where the Chain service is: people sign in on the page, no key is handed out.
    expect(await res.json()).toEqual({ chainUrl: 'http://127.0.0.1:50051' });
  });

  it('serves the page revalidated and fingerprinted assets as immutable, with their types', async () => {
    const page = await fetch(`${web.url}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain(
      "connect-src 'self' http://127.0.0.1:50051",
    );
    expect(await page.text()).toContain('<title>page</title>');
    const js = await fetch(`${web.url}/assets/index-abc123.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    const css = await fetch(`${web.url}/assets/index-abc123.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    // Revalidation is cheap: the same file again is a 304 without a body.
    const etag = js.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(`${web.url}/assets/index-abc123.js`, {
      headers: { 'if-none-match': etag! },
    });
    expect(again.status).toBe(304);
    const head = await fetch(`${web.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404 for unknown paths and paths leaving dist/, 405 for other methods', async () => {
    expect((await fetch(`${web.url}/nope.js`)).status).toBe(404);
    expect((await fetch(`${web.url}/%2e%2e/secret.txt`)).status).toBe(404);
    expect((await fetch(`${web.url}/..%2fsecret.txt`)).status).toBe(404);
    const post = await fetch(`${web.url}/config.json`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('says to run the build when dist/ is missing, and rejects a chainUrl that is not http(s)', async () => {
    await expect(
      servePublisherWeb({ chainUrl: 'http://127.0.0.1:1', distDir: join(dist, 'not-built') }),
    ).rejects.toThrow(/not built.*npm run build -w examples\/publisher-web/);
    await expect(servePublisherWeb({ chainUrl: 'localhost:50051', distDir: dist })).rejects.toThrow(
      /chainUrl must be an http\(s\) URL/,
    );
  });
});
