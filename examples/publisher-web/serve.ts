/**
 * Serves the built Publisher page (dist/) and a generated /config.json pointing it at a Chain
 * service, with node:http only. The demo and the tests use `servePublisherWeb`; `npm start`
 * runs it from the environment (CHAIN_URL, PORT, HOST). Nothing secret is served: people sign in
 * on the page with their own access token, which the page sends to the Chain service.
 *
 * The Chain service must allow the returned `url` as a CORS origin (createChainServer's
 * `corsOrigins`, or CORS_ORIGINS of the chain-server example), or the browser blocks every call.
 */
import { readFile, stat } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

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

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export async function servePublisherWeb(
  options: PublisherWebOptions,
): Promise<RunningPublisherWeb> {
  const chainOrigin = parseChainUrl(options.chainUrl);
  const dist = join(resolve(options.distDir ?? DEFAULT_DIST), sep);
  const indexHtml = await readFile(join(dist, 'index.html')).catch(() => {
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

  const server = http.createServer((req, res) => {
    const send = (status: number, headers: http.OutgoingHttpHeaders, body: string | Buffer) => {
      res.writeHead(status, {
        ...securityHeaders,
        'content-length': Buffer.byteLength(body),
        ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(
        405,
        { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
        'method not allowed\n',
      );
      return;
    }
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (path === '/config.json') {
      // Never cached: the same build is pointed at another Chain service by restarting this.
      send(
        200,
        { 'content-type': CONTENT_TYPES['.json'], 'cache-control': 'no-store' },
        configJson,
      );
      return;
    }
    if (path === '/' || path === '/index.html') {
      // Revalidated on every load, so a new build's hashed assets are picked up at once.
      send(200, { 'content-type': CONTENT_TYPES['.html'], 'cache-control': 'no-cache' }, indexHtml);
      return;
    }
    serveFile(dist, path)
      .then((file) => {
        if (!file) {
          send(
            404,
            { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
            'not found\n',
          );
          return;
        }
        // Vite fingerprints everything under assets/: those never change under the same name.
        const immutable = path.startsWith('/assets/');
        send(
          200,
          {
            'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
            'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
          },
          file,
        );
      })
      .catch((err: unknown) => {
        send(
          500,
          { 'content-type': 'text/plain; charset=utf-8' },
          `could not read ${path}: ${(err as Error).message}\n`,
        );
      });
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

/** Reads a file under dist/, or undefined when there is none (or the path tries to leave dist/). */
async function serveFile(dist: string, urlPath: string): Promise<Buffer | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const file = normalize(join(dist, decoded));
  if (!file.startsWith(dist) || decoded.includes('\0')) return undefined;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  return readFile(file);
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
