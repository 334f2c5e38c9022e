/**
 * Licensing over HTTP on the real stack of the other App API tests (createAppApi on PostgreSQL,
 * cosmosdb-server and a Chain service on a devnet whose `ip` serves mystira.chain.ip.v1, behind
 * the local issuer's tokens): publishing attaches the story's license terms once its
 * registration is confirmed; a scenario becomes a derivative of the story's asset; a payment to
 * the scenario reaches the story's contributors by the terms; who may do what; the OpenAPI.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioRegistration, Story, StoryLicense } from '../src/domain.ts';
import type { AssetLicensing } from '../src/publishing/licensing.ts';
import { createAccount, type Harness, startHarness, type TestUser } from './support/harness.ts';
import { eventually } from './support/publishing-stories.ts';

let h: Harness;
let writer: TestUser;
let artist: TestUser;
let payer: TestUser;

beforeAll(async () => {
  h = await startHarness('licensing');
  writer = await h.user('writer');
  artist = await h.user('artist');
  payer = await h.user('payer', ['payer']);
});

afterAll(async () => {
  await h?.close();
});

const anonymous = (method: 'GET' | 'POST', url: string) =>
  h.api.app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });

/** A story by writer (70 %) and artist (30 %) with one scenario. */
async function story(): Promise<Story> {
  const [mine, theirs] = [await createAccount(writer), await createAccount(artist)];
  const res = await writer.inject({
    method: 'POST',
    url: '/v1/stories',
    payload: {
      authorId: mine.id,
      title: 'The Lighthouse Keeper',
      scenarios: [{ title: 'Night one', body: 'The lamp goes out.' }],
      contributors: [
        { accountId: mine.id, shareBasisPoints: 7_000, role: 'author' },
        { accountId: theirs.id, shareBasisPoints: 3_000, role: 'artist' },
      ],
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function publish(id: string, license?: object): Promise<Story> {
  const res = await writer.inject({
    method: 'POST',
    url: `/v1/stories/${id}/publish`,
    payload: license ? { license } : {},
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json();
}

/** The license once attached (the publisher attaches it in the background after confirmation). */
function attached(id: string): Promise<StoryLicense> {
  return eventually(`license of ${id} attached`, async () => {
    const res = await anonymous('GET', `/v1/stories/${id}/license`);
    if (res.statusCode === 409) return undefined; // not confirmed yet
    expect(res.statusCode, res.body).toBe(200);
    const license = res.json() as StoryLicense;
    return license.state === 'attached' ? license : undefined;
  });
}

function scenarioPath(s: Story): string {
  return `/v1/stories/${s.id}/scenarios/${s.scenarios[0]?.id}`;
}

function confirmedScenario(s: Story): Promise<ScenarioRegistration> {
  return eventually(`scenario of ${s.id} confirmed`, async () => {
    const res = await anonymous('GET', `${scenarioPath(s)}/registration`);
    expect(res.statusCode, res.body).toBe(200);
    const registration = res.json() as ScenarioRegistration;
    return registration.state === 'confirmed' ? registration : undefined;
  });
}

function expectProblem(res: LightMyRequestResponse, status: number): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

describe('publishing with license terms', () => {
  it('records the default (Commercial Remix, 10 %) and attaches it once confirmed', async () => {
    const draft = await story();
    const published = await publish(draft.id);
    expect(published.license).toMatchObject({
      preset: 'commercialRemix',
      revSharePercent: 10,
      state: 'pending',
    });
    const license = await attached(draft.id);
    expect(license.licenseTermsId).toMatch(/^[1-9]\d*$/);
    const asset = (await anonymous('GET', `/v1/stories/${draft.id}/ip-asset`)).json();
    expect(asset as AssetLicensing).toMatchObject({
      licenseTerms: [
        {
          licenseTermsId: license.licenseTermsId,
          commercialUse: true,
          derivativesAllowed: true,
          commercialRevSharePercent: 10,
          royaltyPolicy: 'lap',
        },
      ],
      parents: [],
      children: [],
    });
  });

  it('takes the publish request’s choice, and validates it', async () => {
    const draft = await story();
    const bad = await writer.inject({
      method: 'POST',
      url: `/v1/stories/${draft.id}/publish`,
      payload: { license: { preset: 'anything' } },
    });
    expectProblem(bad, 400);
    await publish(draft.id, { preset: 'commercialRemix', revSharePercent: 25 });
    const license = await attached(draft.id);
    expect(license).toMatchObject({ preset: 'commercialRemix', revSharePercent: 25 });
    const asset = (await anonymous('GET', `/v1/stories/${draft.id}/ip-asset`)).json();
    expect(asset.licenseTerms[0].commercialRevSharePercent).toBe(25);
  });

  it('a draft’s license and asset are the author’s business only', async () => {
    const draft = await story();
    expectProblem(await anonymous('GET', `/v1/stories/${draft.id}/license`), 401);
    expectProblem(
      await artist.inject({ method: 'GET', url: `/v1/stories/${draft.id}/ip-asset` }),
      403,
    );
    expectProblem(
      await writer.inject({ method: 'GET', url: `/v1/stories/${draft.id}/ip-asset` }),
      409,
    );
  });
});

describe('scenarios as derivatives', () => {
  it('registers a scenario under the story’s terms; a payment to it reaches the story', async () => {
    const draft = await story();
    const path = scenarioPath(draft);
    // Before the story is published: no asset to derive from.
    expectProblem(await writer.inject({ method: 'POST', url: `${path}/registration` }), 409);
    await publish(draft.id);
    const license = await attached(draft.id);

    expectProblem(await anonymous('POST', `${path}/registration`), 401);
    expectProblem(await artist.inject({ method: 'POST', url: `${path}/registration` }), 403);
    expectProblem(
      await writer.inject({
        method: 'POST',
        url: `/v1/stories/${draft.id}/scenarios/no-such-scenario/registration`,
      }),
      404,
    );
    const first = await writer.inject({ method: 'POST', url: `${path}/registration` });
    expect(first.statusCode, first.body).toBe(202);
    const again = await writer.inject({ method: 'POST', url: `${path}/registration` });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().ipAssetId).toBe(first.json().ipAssetId);

    const registration = await confirmedScenario(draft);
    expect(registration).not.toHaveProperty('idempotencyKey'); // the public view
    const storyAsset = (await anonymous('GET', `/v1/stories/${draft.id}/ip-asset`)).json();
    expect(registration.parentIpAssetId).toBe(storyAsset.ipAssetId);
    expect(storyAsset.children).toEqual([
      { ipAssetId: registration.ipAssetId, licenseTermsId: license.licenseTermsId },
    ]);
    const scenarioAsset = (await anonymous('GET', `${path}/ip-asset`)).json();
    expect(scenarioAsset.parents).toEqual([
      { ipAssetId: storyAsset.ipAssetId, licenseTermsId: license.licenseTermsId },
    ]);

    // Payments need the payer role; 10 % of one reaches the story's split (70/30).
    const payment = { amountWei: '1000000000000000000' };
    expectProblem(
      await writer.inject({ method: 'POST', url: `${path}/royalties/payments`, payload: payment }),
      403,
    );
    const paid = await payer.inject({
      method: 'POST',
      url: `${path}/royalties/payments`,
      payload: payment,
    });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json().ipAssetId).toBe(registration.ipAssetId);
    const royalties = await eventually('the story’s share claimable', async () => {
      const res = await writer.inject({ method: 'GET', url: `/v1/stories/${draft.id}/royalties` });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { claimable: { amountWei: string }[] };
      return body.claimable.some((c) => c.amountWei !== '0') ? body : undefined;
    });
    expect(royalties.claimable.map((c) => c.amountWei).sort()).toEqual([
      '30000000000000000',
      '70000000000000000',
    ]);
  });

  it('refuses a scenario of a story licensed without derivatives (commercialUse)', async () => {
    const draft = await story();
    await publish(draft.id, { preset: 'commercialUse' });
    await attached(draft.id);
    const res = await writer.inject({ method: 'POST', url: `${scenarioPath(draft)}/registration` });
    expectProblem(res, 409);
    expect(res.json().detail).toMatch(/without derivatives/);
  });
});

describe('the OpenAPI document', () => {
  it('describes the licensing routes with their security', async () => {
    const doc = (await anonymous('GET', '/docs/json')).json() as {
      paths: Record<string, Record<string, { security?: unknown; tags?: string[] }>>;
    };
    const signedIn = [{ bearer: [] }];
    const optional = [{}, { bearer: [] }];
    const scenario = '/v1/stories/{id}/scenarios/{scenarioId}';
    expect(doc.paths['/v1/stories/{id}/license']?.get?.security).toEqual(optional);
    expect(doc.paths['/v1/stories/{id}/ip-asset']?.get?.security).toEqual(optional);
    expect(doc.paths[`${scenario}/registration`]?.post?.security).toEqual(signedIn);
    expect(doc.paths[`${scenario}/registration`]?.get?.security).toEqual(optional);
    expect(doc.paths[`${scenario}/ip-asset`]?.get?.security).toEqual(optional);
    expect(doc.paths[`${scenario}/royalties/payments`]?.post?.security).toEqual(signedIn);
    expect(doc.paths['/v1/stories/{id}/license']?.get?.tags).toEqual(['licensing']);
  });
});
