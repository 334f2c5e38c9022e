/**
 * The contract's guards: buf lint, buf breaking against the contract as first committed, and no
 * drift between the protos and the committed generated code.
 */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root, run, runOk } from './lib/tools.js';

const baseline = join(root, 'protos', 'baseline.binpb');
const scratch = mkdtempSync(join(tmpdir(), 'mystira-contract-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the Buf workspace (buf.yaml + protos/) in a fresh folder, to break on purpose. */
function copyOfWorkspace(name: string): string {
  const dir = join(scratch, name);
  cpSync(join(root, 'protos'), join(dir, 'protos'), {
    recursive: true,
    filter: (src) => !src.endsWith('.binpb'),
  });
  cpSync(join(root, 'buf.yaml'), join(dir, 'buf.yaml'));
  return dir;
}

function edit(file: string, from: string | RegExp, to: string) {
  const text = readFileSync(file, 'utf8');
  const changed = text.replace(from, to);
  expect(changed, `the edit of ${file} must change something`).not.toBe(text);
  writeFileSync(file, changed);
}

const ipAssets = 'protos/mystira/chain/v1/ip_assets.proto';

describe('buf lint', () => {
  it('passes on the contract', () => {
    runOk('buf', ['lint']);
  });

  it('demands a comment on every field', () => {
    const dir = copyOfWorkspace('uncommented');
    edit(
      join(dir, ipAssets),
      '  // The Mystira identifier of the content (story or scenario) to register.\n',
      '',
    );
    const result = run('buf', ['lint'], dir);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(
      /ip_assets.proto:\d+:\d+:Field "content_id" should have a non-empty comment/,
    );
  });
});

describe('buf breaking against the contract as first committed', () => {
  it('passes for the current protos', () => {
    runOk('buf', ['breaking', '--against', baseline]);
  });

  it('accepts an additive change (a new optional field)', () => {
    const dir = copyOfWorkspace('additive');
    edit(
      join(dir, ipAssets),
      '  string idempotency_key = 6;\n}',
      '  string idempotency_key = 6;\n  // A new field.\n  optional string note = 7;\n}',
    );
    runOk('buf', ['breaking', '--against', baseline], dir);
  });

  it('reports a renumbered field', () => {
    const dir = copyOfWorkspace('renumbered');
    edit(join(dir, ipAssets), 'string content_title = 2;', 'string content_title = 12;');
    const result = run('buf', ['breaking', '--against', baseline], dir);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/RegisterIpAssetRequest/);
    expect(result.stdout).toMatch(/"2"|content_title/);
  });

  it('reports a removed field', () => {
    const dir = copyOfWorkspace('removed');
    edit(
      join(dir, ipAssets),
      / {2}\/\/ The hash of the block that includes[^\n]*\n {2}optional string block_hash = 6;\n/,
      '',
    );
    const result = run('buf', ['breaking', '--against', baseline], dir);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/TransactionUpdate/);
    expect(result.stdout).toMatch(/"6"|block_hash/);
  });

  it('reports a renamed enum value', () => {
    const dir = copyOfWorkspace('renamed');
    edit(join(dir, ipAssets), 'IP_ASSET_STATUS_REGISTERED = 3;', 'IP_ASSET_STATUS_DONE = 3;');
    const result = run('buf', ['breaking', '--against', baseline], dir);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/IP_ASSET_STATUS_REGISTERED/);
  });
});

/** Every file under `dir`, relative to it, with its contents. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

/** Every buf.gen.yaml of the repo: the contract's at the root and any package's own. */
function generationConfigs(): string[] {
  const configs = [join(root, 'buf.gen.yaml')];
  for (const name of readdirSync(join(root, 'packages'))) {
    const config = join(root, 'packages', name, 'buf.gen.yaml');
    if (existsSync(config)) configs.push(config);
  }
  return configs;
}

describe('generated code', () => {
  it.each(generationConfigs().map((c) => [relative(root, c), c]))(
    '%s: regenerating changes nothing that is committed',
    (_name, config) => {
      const cwd = dirname(config);
      const outDirs = [...readFileSync(config, 'utf8').matchAll(/^\s*out:\s*(\S+)\s*$/gm)].map(
        (m) => m[1]!,
      );
      expect(outDirs.length).toBeGreaterThan(0);
      const out = mkdtempSync(join(scratch, 'gen-'));
      runOk('buf', ['generate', '--output', out], cwd);
      for (const dir of outDirs) {
        const fresh = snapshot(join(out, dir));
        const committed = snapshot(join(cwd, dir));
        expect(fresh.size, `buf generated nothing into ${dir}`).toBeGreaterThan(0);
        expect([...committed.keys()].sort(), `files in ${dir}`).toEqual([...fresh.keys()].sort());
        for (const [file, text] of fresh) {
          expect(committed.get(file), `${dir}/${file} differs: run npm run generate`).toBe(text);
        }
      }
    },
  );
});
