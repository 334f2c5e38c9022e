/**
 * Serves the built Publisher page (dist/) and a generated /config.json pointing it at a Chain
 * service: node:http for the two routes of its own, `sirv` for the files. The demo and the tests use `servePublisherWeb`; `npm start`
 * runs it from the environment (CHAIN_URL, PORT, HOST). Nothing secret is served: people sign in
 * on the page with their own access token, which the page sends to the Chain service.
 *
 * The Chain service must allow the returned `url` as a CORS origin (createChainServer's
 * `corsOrigins`, or CORS_ORIGINS of the chain-server example), or the browser blocks every call.
 */
import { access } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

export interface PublisherWebOptions {
  /** Base URL of the Chain service the page calls, e.g. `http://127.0.0.1:50051`. */
  chainUrl: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** The built page. Default: this example's dist/. */
  distDir?: string;
}

export interface RunningPublisherWeb {
  /** The page's URL, which is also the origin the Chain service must allow. */
  url: string;
  close(): Promise<void>;
}

const DEFAULT_DIST = fileURLToPath(new URL('./dist/', import.meta.url));

/** Text types served with their charset (sirv names the type; UTF-8 is this build's encoding). */
const TEXT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export async function servePublisherWeb(
  options: PublisherWebOptions,
): Promise<RunningPublisherWeb> {
  const chainOrigin = parseChainUrl(options.chainUrl);
  const dist = resolve(options.distDir ?? DEFAULT_DIST);
  await access(join(dist, 'index.html')).catch(() => {
    throw new Error(
      `The Publisher page is not built (${join(dist, 'index.html')} is missing): run \`npm run build -w examples/publisher-web\` first.`,
    );
  });
  const configJson = JSON.stringify({ chainUrl: options.chainUrl.replace(/\/+$/, '') });
  const securityHeaders = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // The page only loads its own files and talks to its own origin and the Chain service.
    'content-security-policy': `default-src 'self'; connect-src 'self' ${chainOrigin}; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  };

  const notFound = (res: http.ServerResponse) => {
    res.writeHead(404, {
      ...securityHeaders,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end('not found\n');
  };
  const files = sirv(dist, {
    etag: true,
    // dist/ holds the build only; no dotfiles, no directory listings, no SPA fallback.
    setHeaders(res, pathname) {
      for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
      // A path without an extension is a page (sirv finds `<path>/index.html` or `<path>.html`).
      const text = TEXT_TYPES[extname(pathname) || '.html'];
      if (text) res.setHeader('content-type', text);
      // Vite fingerprints everything under assets/: those never change under the same name.
      // Everything else (index.html above all) is revalidated, so a new build shows at once.
      res.setHeader(
        'cache-control',
        pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
    onNoMatch: (_req, res) => notFound(res),
  });

  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, {
        ...securityHeaders,
        allow: 'GET, HEAD',
        'content-type': 'text/plain; charset=utf-8',
      });
      res.end('method not allowed\n');
      return;
    }
    if (new URL(req.url ?? '/', 'http://page').pathname === '/config.json') {
      // Never cached: the same build is pointed at another Chain service by restarting this.
      res.writeHead(200, {
        ...securityHeaders,
        'content-type': TEXT_TYPES['.json'],
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(configJson),
      });
      res.end(req.method === 'HEAD' ? undefined : configJson);
      return;
    }
    files(req, res);
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function parseChainUrl(chainUrl: string): string {
  let url: URL;
  try {
    url = new URL(chainUrl);
  } catch {
    throw new TypeError(`chainUrl must be an http(s) URL, got ${JSON.stringify(chainUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`chainUrl must be an http(s) URL, got ${JSON.stringify(chainUrl)}`);
  }
  return url.origin;
}

// `npm start -w examples/publisher-web`: serve from the environment until Ctrl-C.
if (import.meta.main) {
  const running = await servePublisherWeb({
    chainUrl: process.env.CHAIN_URL ?? 'http://localhost:50051',
    port: Number(process.env.PORT ?? 8080),
    host: process.env.HOST ?? '127.0.0.1',
  });
  process.stdout.write(
    `Publisher page on ${running.url} (Chain service ${process.env.CHAIN_URL ?? 'http://localhost:50051'}; allow ${running.url} in its CORS_ORIGINS)\n`,
  );
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
