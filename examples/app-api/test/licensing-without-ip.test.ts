/**
 * Licensing against a Chain host whose ledger has no `ip` (no mystira.chain.ip.v1 services: an
 * older host, or a ledger that has not implemented them): publishing must work exactly as
 * before, the license stays `pending` (not `failed`: nothing is wrong with the terms), and the
 * licensing routes answer a problem instead of hanging or corrupting the story. And the LICENSE_*
 * configuration is checked at start.
 */
import {
  type ChainServer,
  createChainServer,
  DevnetLedger,
  type IpLedger,
} from '@mystira/chain-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Story, StoryLicense } from '../src/domain.ts';
import { loadLicensingConfig, WIP_TOKEN } from '../src/publishing/licensing-config.ts';
import { type Harness, randomWallet, startHarness, type TestUser } from './support/harness.ts';
import { eventually } from './support/publishing-stories.ts';

/** A devnet without the IP services (Ledger.ip is optional in the port). */
class LedgerWithoutIp extends DevnetLedger {
  override get ip(): IpLedger {
    return undefined as unknown as IpLedger;
  }
}

let h: Harness;
let writer: TestUser;
let ledger: LedgerWithoutIp;
let server: ChainServer;

beforeAll(async () => {
  ledger = new LedgerWithoutIp({ blockIntervalMs: 20, requiredConfirmations: 2 });
  ledger.start();
  server = createChainServer({ ledger });
  const { port } = await server.listen(0, '127.0.0.1');
  h = await startHarness('licensing_no_ip', {
    chain: { ledger, server, url: `http://127.0.0.1:${port}`, close: async () => {} },
  });
  writer = await h.user('writer');
});

afterAll(async () => {
  await h?.close();
  await server?.close({ deadlineMs: 200 });
  ledger?.stop();
});

describe('a Chain host without the licensing services', () => {
  it('publishes as before; the license stays pending; licensing routes answer a problem', async () => {
    const account = await writer.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: { email: 'no-ip@example.com', displayName: 'W', walletAddress: randomWallet() },
    });
    expect(account.statusCode, account.body).toBe(201);
    const created = await writer.inject({
      method: 'POST',
      url: '/v1/stories',
      payload: {
        authorId: account.json().id,
        title: 'Offline licensing',
        scenarios: [{ title: 'One', body: '…' }],
      },
    });
    const story = created.json() as Story;
    const published = await writer.inject({
      method: 'POST',
      url: `/v1/stories/${story.id}/publish`,
    });
    expect(published.statusCode, published.body).toBe(202);
    await eventually('registration confirmed', async () => {
      const res = await writer.inject({
        method: 'GET',
        url: `/v1/stories/${story.id}/registration`,
      });
      return res.json().state === 'confirmed' ? true : undefined;
    });

    const license = await writer.inject({ method: 'GET', url: `/v1/stories/${story.id}/license` });
    expect(license.statusCode, license.body).toBe(200);
    expect((license.json() as StoryLicense).state).toBe('pending');

    const scenario = await writer.inject({
      method: 'POST',
      url: `/v1/stories/${story.id}/scenarios/${story.scenarios[0]?.id}/registration`,
    });
    expect(scenario.statusCode, scenario.body).toBe(502);
    expect(scenario.headers['content-type']).toMatch(/^application\/problem\+json/);
    // Still pending afterwards: a host that gains the services attaches the terms later.
    const after = await writer.inject({ method: 'GET', url: `/v1/stories/${story.id}` });
    expect((after.json() as Story).license?.state).toBe('pending');
  });
});

describe('LICENSE_* configuration', () => {
  it('defaults to Commercial Remix, 10 %, in WIP', () => {
    expect(loadLicensingConfig({})).toEqual({
      currencyToken: WIP_TOKEN,
      defaultLicense: { preset: 'commercialRemix', revSharePercent: 10 },
    });
  });

  it('takes a preset, a share and a currency, and refuses bad values', () => {
    const token = `0x${'ab'.repeat(20)}`;
    expect(
      loadLicensingConfig({
        LICENSE_PRESET: 'commercialRemix',
        LICENSE_REV_SHARE_PERCENT: '12.5',
        LICENSE_CURRENCY_TOKEN: token,
      }),
    ).toEqual({
      currencyToken: token,
      defaultLicense: { preset: 'commercialRemix', revSharePercent: 12.5 },
    });
    expect(
      loadLicensingConfig({ LICENSE_PRESET: 'nonCommercialSocialRemixing' }).defaultLicense,
    ).toEqual({
      preset: 'nonCommercialSocialRemixing',
    });
    expect(() => loadLicensingConfig({ LICENSE_PRESET: 'free' })).toThrow(/LICENSE_PRESET/);
    for (const share of ['101', '-1', 'ten', '1.1234567'])
      expect(() => loadLicensingConfig({ LICENSE_REV_SHARE_PERCENT: share })).toThrow(
        /LICENSE_REV_SHARE_PERCENT/,
      );
    for (const currency of ['0x12', `0x${'0'.repeat(40)}`])
      expect(() => loadLicensingConfig({ LICENSE_CURRENCY_TOKEN: currency })).toThrow(
        /LICENSE_CURRENCY_TOKEN/,
      );
  });
});
