import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Abi, type AbiEvent, type AbiFunction, toFunctionSignature } from 'viem';
import { describe, expect, it } from 'vitest';
import { storyContracts } from '../src/gen/story-contracts.js';
import { storyErrorAbi } from '../src/story/errors.js';

// The test contracts against their two references: their own sources (the committed artifacts
// must be what the sources compile to) and the ABIs the Story SDK calls them with.

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

// viem does not re-export abitype's AbiError; this is the same type.
type AbiError = Extract<Abi[number], { type: 'error' }>;

describe('the Story test contracts', () => {
  it('match the committed artifacts (src/gen/story-contracts.ts)', async () => {
    const script = join(packageRoot, 'scripts', 'compile-contracts.mjs');
    // Throws with the script's message when the sources and the artifacts have drifted.
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--check'], {
      cwd: packageRoot,
    });
    expect(stdout).toMatch(/up to date/);
  }, 120_000);

  it('declare exactly the custom errors the ledger decodes reverts with (storyErrorAbi)', () => {
    const signature = (e: AbiError) =>
      `${e.name}(${e.inputs.map((i) => `${i.type} ${i.name}`).join(',')})`;
    const declared = new Set(
      Object.values(storyContracts).flatMap((c) =>
        (c.abi as Abi).filter((x): x is AbiError => x.type === 'error').map(signature),
      ),
    );
    // WrappedIP's own errors (IPTransferFailed, InsufficientAllowance, ...) are not Story's: the
    // ledger never calls WIP in a way that meets them without meeting ERC-20's first.
    const ours = new Set(storyErrorAbi.map(signature));
    const wip = new Set(['IPTransferFailed()', 'InsufficientAllowance()', 'InsufficientBalance()']);
    expect([...declared].filter((s) => !ours.has(s) && !wip.has(s))).toEqual([]);
    expect([...ours].filter((s) => !declared.has(s))).toEqual([]);
  });

  it("declare every function, event and error the SDK also names exactly as the SDK's ABIs do", () => {
    const sdk = sdkAbis();
    const counterpart: Record<keyof typeof storyContracts, string | undefined> = {
      CoreMetadataModule: 'coreMetadataModuleAbi',
      IPAccount: 'ipAccountImplAbi',
      IPAssetRegistry: 'ipAssetRegistryAbi',
      IpRoyaltyVault: 'ipRoyaltyVaultImplAbi',
      LicenseRegistry: 'licenseRegistryAbi',
      LicenseToken: 'licenseTokenAbi',
      LicensingModule: 'licensingModuleAbi',
      Multicall3: 'multicall3Abi',
      PILicenseTemplate: 'piLicenseTemplateAbi',
      RegistrationWorkflows: 'registrationWorkflowsAbi',
      RoyaltyModule: 'royaltyModuleAbi',
      // The SDK ships no LAP ABI: it calls LAP with the LRP one ("same abi for all royalty policies").
      RoyaltyPolicyLAP: 'royaltyPolicyLrpAbi',
      RoyaltyPolicyLRP: 'royaltyPolicyLrpAbi',
      RoyaltyWorkflows: 'royaltyWorkflowsAbi',
      SPGNFT: 'spgnftImplAbi',
      WrappedIP: 'wrappedIpAbi',
    };
    const mismatches: string[] = [];
    let compared = 0;
    for (const [contract, sdkName] of Object.entries(counterpart)) {
      const theirs = sdk.get(sdkName!);
      expect(theirs, sdkName).toBeDefined();
      for (const item of storyContracts[contract as keyof typeof storyContracts].abi as Abi) {
        if (item.type !== 'function' && item.type !== 'event' && item.type !== 'error') continue;
        const same = theirs!.filter(
          (t) => t.type === item.type && 'name' in t && t.name === item.name,
        );
        if (same.length === 0) continue; // a test-only addition, such as RoyaltyModule.deployVault
        compared++;
        if (!same.some((t) => shape(t) === shape(item))) {
          mismatches.push(`${contract}: ${shape(item)} vs SDK ${same.map(shape).join(' | ')}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(100);
  });
});

// Everything that decides selectors, topics and decoding: parameter types, return types and,
// for events, which parameters are indexed; whether a function takes value (view, pure and
// nonpayable make no difference to a caller's encoding).
function shape(item: Abi[number]): string {
  if (item.type === 'function') {
    const f = item as AbiFunction;
    const payable = f.stateMutability === 'payable' ? ' payable' : '';
    return `${toFunctionSignature(f)} returns (${f.outputs.map((o) => o.type).join(',')})${payable}`;
  }
  if (item.type === 'event') {
    const e = item as AbiEvent;
    return `event ${e.name}(${e.inputs.map((i) => `${i.type}${i.indexed ? ' indexed' : ''}`).join(',')})`;
  }
  if (item.type === 'error')
    return `error ${item.name}(${item.inputs.map((i) => i.type).join(',')})`;
  return item.type;
}

// The SDK keeps its ABIs module-private (`var fooAbi = [...]` in its bundle); read them from
// there, so this test follows the installed SDK version.
function sdkAbis(): Map<string, Abi> {
  const require = createRequire(import.meta.url);
  const sdkRoot = dirname(require.resolve('@story-protocol/core-sdk/package.json'));
  const source = readFileSync(join(sdkRoot, 'dist', 'story-protocol-core-sdk.cjs.dev.js'), 'utf8');
  const abis = new Map<string, Abi>();
  for (const match of source.matchAll(/var (\w+Abi) ?= ?\[/g)) {
    const start = match.index + match[0].length - 1;
    let depth = 0;
    let end = start;
    for (; end < source.length; end++) {
      if (source[end] === '[') depth++;
      else if (source[end] === ']' && --depth === 0) break;
    }
    // The literals are plain data (objects, arrays, strings, booleans).
    abis.set(match[1]!, new Function(`return ${source.slice(start, end + 1)}`)() as Abi);
  }
  return abis;
}
