/**
 * The page of a browser test: a script bundled for the browser by esbuild, served from its own
 * origin on 127.0.0.1 with an HTML page that loads it as a module, so what it calls on a server
 * is cross-origin. chain-client's web test serves its page with it too.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';

export interface PageServer {
  /** `http://127.0.0.1:<port>`, the page's origin. */
  readonly origin: string;
  /** Stops serving. */
  close(): Promise<void>;
}

/** Bundles `entry` (a .ts file) and serves it behind `/` on a free port. */
export async function servePage(entry: string): Promise<PageServer> {
  const bundle = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]?.text ?? '';
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/page.js')) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(js);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>',
      );
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
