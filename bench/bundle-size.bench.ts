/**
 * What the browser entry costs a page: `@mystira/chain-client/web` bundled for the browser
 * (esbuild, minified, ESM) and gzipped, against the smallest alternative a front end would write
 * by hand, a plain `@connectrpc/connect-web` client of the same generated `ChainService`.
 * The difference is what the SDK adds in the browser: conversions to bigint/Date/string unions,
 * typed errors, retries, deadlines and the watch iterator. The chain-client tests hold the entry
 * to a size budget; this report records the figure run by run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { emit, progress } from './lib/report.ts';

interface Size {
  minified: number;
  gzip: number;
}

async function bundleSize(source: string): Promise<Size> {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-size-'));
  try {
    const entry = join(dir, 'entry.js');
    writeFileSync(entry, source);
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      // Resolve packages from the bench workspace, as an application's bundler would.
      nodePaths: [
        join(import.meta.dirname, 'node_modules'),
        join(import.meta.dirname, '..', 'node_modules'),
      ],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.contents;
    return { minified: code.length / 1024, gzip: gzipSync(code).length / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

progress('bundling @mystira/chain-client/web');
const ours = await bundleSize(`
  import { createChainClient } from '@mystira/chain-client/web';
  export const client = createChainClient({ baseUrl: location.origin });
`);
progress('bundling a plain connect-web client of ChainService');
const plain = await bundleSize(`
  import { createClient } from '@connectrpc/connect';
  import { createConnectTransport } from '@connectrpc/connect-web';
  import { ChainService } from '@mystira/chain-protos';
  export const client = createClient(ChainService, createConnectTransport({ baseUrl: location.origin }));
`);

emit({
  name: 'Browser bundle (@mystira/chain-client/web)',
  comparisons: [
    {
      metric: 'browser entry, minified + gzip (KiB)',
      ours: ours.gzip,
      baseline: plain.gzip,
      baselineName: 'plain @connectrpc/connect-web client of the generated ChainService',
      unit: 'KiB',
      higherIsBetter: false,
    },
  ],
  notes: [
    `Minified: ${ours.minified.toFixed(1)} KiB (plain client ${plain.minified.toFixed(1)} KiB); gzip (level 6, what servers send): ${ours.gzip.toFixed(1)} KiB vs ${plain.gzip.toFixed(1)} KiB. Both include the generated descriptors of the whole contract and @bufbuild/protobuf's runtime.`,
    'The chain-client tests fail when the entry grows past its budget (test/web.test.ts), so growth is a decision, not an accident.',
  ],
});
