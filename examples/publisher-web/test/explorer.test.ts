import { describe, expect, it, vi } from 'vitest';
import { explorerFor, explorerLookup, STORY_EXPLORERS } from '../src/explorer.ts';

const HASH = `0x${'ab'.repeat(32)}`;
const IP = `0x${'cd'.repeat(20)}`;

describe('block explorer links by the network GetServiceInfo reports', () => {
  it('Aeneid and mainnet, on a node elsewhere: Storyscan for transactions, Story’s IP explorer for assets', () => {
    const aeneid = explorerFor({ network: 'aeneid', rpcEndpoint: 'https://aeneid.storyrpc.io' });
    expect(aeneid.kind).toBe('links');
    if (aeneid.kind !== 'links') return;
    expect(aeneid.explorer.transactionUrl(HASH)).toBe(`https://aeneid.storyscan.xyz/tx/${HASH}`);
    expect(aeneid.explorer.ipAssetUrl(IP)).toBe(
      `https://aeneid.explorer.story.foundation/ipa/${IP}`,
    );
    const mainnet = explorerFor({
      network: 'mainnet',
      rpcEndpoint: 'https://mainnet.storyrpc.io,https://rpc.ankr.com',
    });
    expect(mainnet).toEqual({ kind: 'links', explorer: STORY_EXPLORERS.mainnet });
    expect(STORY_EXPLORERS.mainnet.transactionUrl(HASH)).toBe(
      `https://www.storyscan.io/tx/${HASH}`,
    );
    expect(STORY_EXPLORERS.mainnet.ipAssetUrl(IP)).toBe(
      `https://explorer.story.foundation/ipa/${IP}`,
    );
  });

  it('the devnet: no link, a note with the format on Story’s networks', () => {
    const devnet = explorerFor({ network: 'devnet', rpcEndpoint: 'devnet://in-process' });
    expect(devnet.kind).toBe('note');
    if (devnet.kind !== 'note') return;
    expect(devnet.text).toMatch(/^none: the devnet is simulated/);
    expect(devnet.text).toContain('https://aeneid.storyscan.xyz/tx/<hash> (Aeneid)');
    expect(devnet.text).toContain('https://www.storyscan.io/tx/<hash> (mainnet)');
  });

  it('an embedded development chain (Aeneid’s chain id, a node on this machine): no link, says what it is', () => {
    for (const rpcEndpoint of [
      'http://127.0.0.1:41234',
      'http://localhost:8545',
      'http://[::1]:8545',
      'eip1193://provider',
    ]) {
      const view = explorerFor({ network: 'aeneid', rpcEndpoint });
      expect(view.kind, rpcEndpoint).toBe('note');
      if (view.kind !== 'note') continue;
      expect(view.text).toContain('embedded development chain with Story test contracts');
      expect(view.text).toContain('https://aeneid.storyscan.xyz/tx/<hash>');
      expect(view.text).toContain('https://aeneid.explorer.story.foundation/ipa/<ipId>');
    }
  });

  it('an unknown network: no link', () => {
    expect(explorerFor({ network: 'odyssey', rpcEndpoint: 'https://odyssey.storyrpc.io' })).toEqual(
      { kind: 'note', text: 'none known for the network "odyssey".' },
    );
  });

  it('asks the service once; asks again while it could not answer', async () => {
    const serviceInfo = vi
      .fn()
      .mockRejectedValueOnce(new Error('unavailable'))
      .mockResolvedValue({ network: 'devnet', rpcEndpoint: '' });
    const lookup = explorerLookup(serviceInfo);
    expect(await lookup()).toBeUndefined();
    expect((await lookup())?.kind).toBe('note');
    await lookup();
    expect(serviceInfo).toHaveBeenCalledTimes(2);
  });
});
