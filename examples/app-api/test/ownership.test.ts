/**
 * Who may do what, over a real socket, with real tokens: two authors (Ada, Ben) and a payer.
 * Ben cannot read Ada's account, write stories for it, edit, publish or read her draft, see her
 * story's royalties or claim to her wallet (403 each); a published story reads publicly without
 * any email, wallet, account id or idempotency key; signing up never tells whether an email is
 * taken by someone else; paying needs the payer role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, Story } from '../src/domain.ts';
import { type Harness, randomWallet, startHarness, type TestIdentity } from './support/harness.ts';
import { eventually } from './support/publishing-stories.ts';

let h: Harness;
let url: string;
let ada: TestIdentity;
let ben: TestIdentity;
let payer: TestIdentity;
let adaAccount: Account;
let benAccount: Account;

interface Answer<T = Record<string, unknown>> {
  status: number;
  contentType: string | null;
  headers: Headers;
  text: string;
  body: T;
}

async function call<T = Record<string, unknown>>(
  as: TestIdentity | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer<T>> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(as?.headers ?? {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    headers: res.headers,
    text,
    body: text ? JSON.parse(text) : {},
  };
}

async function signUp(as: TestIdentity, email: string): Promise<Account> {
  const res = await call<Account>(as, 'POST', '/v1/accounts', {
    email,
    displayName: email.split('@')[0],
    walletAddress: randomWallet(),
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function draft(as: TestIdentity, authorId: string, extra: object = {}): Promise<Story> {
  const res = await call<Story>(as, 'POST', '/v1/stories', {
    authorId,
    title: 'The Lighthouse Keeper',
    scenarios: [{ title: 'Night one', body: 'The lamp goes out.' }],
    ...extra,
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

function expectForbidden(a: Answer, what: string) {
  expect(a.status, `${what}: ${a.text}`).toBe(403);
  expect(a.contentType).toMatch(/^application\/problem\+json/);
  expect(a.body).toMatchObject({ status: 403, title: 'Forbidden' });
}

beforeAll(async () => {
  h = await startHarness('ownership');
  url = await h.api.listen(0, '127.0.0.1');
  ada = await h.user('ada');
  ben = await h.user('ben');
  payer = await h.user('pat', ['payer']);
  adaAccount = await signUp(ada, 'ada@example.com');
  benAccount = await signUp(ben, 'ben@example.com');
});
afterAll(async () => {
  await h?.close();
});

describe("one author against another's accounts and stories", () => {
  it("403 for reading Ada's account, and for creating a story as her", async () => {
    expect((await call(ada, 'GET', `/v1/accounts/${adaAccount.id}`)).status).toBe(200);
    const read = await call(ben, 'GET', `/v1/accounts/${adaAccount.id}`);
    expectForbidden(read, 'read account');
    expect(read.text).not.toContain(adaAccount.email);
    expect(read.text).not.toContain(adaAccount.walletAddress);
    expectForbidden(
      await call(ben, 'POST', '/v1/stories', { authorId: adaAccount.id, title: 'In her name' }),
      'create as her',
    );
    // His own account works: the 403s are about whose, not about Ben.
    expect((await call(ben, 'GET', `/v1/accounts/${benAccount.id}`)).status).toBe(200);
    expect((await draft(ben, benAccount.id)).authorId).toBe(benAccount.id);
  });

  it("403 for reading, editing and publishing Ada's draft, and listing her drafts", async () => {
    const story = await draft(ada, adaAccount.id);
    expectForbidden(await call(ben, 'GET', `/v1/stories/${story.id}`), 'read draft');
    expect((await call(undefined, 'GET', `/v1/stories/${story.id}`)).status).toBe(401);
    expectForbidden(
      await call(ben, 'PATCH', `/v1/stories/${story.id}`, { title: 'Mine now' }),
      'edit',
    );
    expectForbidden(await call(ben, 'POST', `/v1/stories/${story.id}/publish`, {}), 'publish');
    expectForbidden(
      await call(ben, 'GET', `/v1/stories/${story.id}/registration`),
      'registration of a draft',
    );
    expectForbidden(
      await call(ben, 'GET', `/v1/stories?authorId=${adaAccount.id}&status=draft`),
      'list her drafts',
    );
    // Ben's attempts changed nothing.
    const mine = await call<Story>(ada, 'GET', `/v1/stories/${story.id}`);
    expect(mine.body).toMatchObject({
      title: 'The Lighthouse Keeper',
      status: 'draft',
      version: 1,
    });
  });
});

describe('a published story', () => {
  let story: Story;
  let artist: TestIdentity;
  let artistAccount: Account;

  beforeAll(async () => {
    artist = await h.user('artist');
    artistAccount = await signUp(artist, 'artist@example.com');
    story = await draft(ada, adaAccount.id, {
      contributors: [
        { accountId: adaAccount.id, shareBasisPoints: 7000, role: 'author' },
        { accountId: artistAccount.id, shareBasisPoints: 3000, role: 'artist' },
      ],
    });
    const published = await call<Story>(ada, 'POST', `/v1/stories/${story.id}/publish`, {});
    expect(published.status, published.text).toBe(202);
    await eventually('the registration to be confirmed', async () => {
      const res = await call<{ state: string }>(ada, 'GET', `/v1/stories/${story.id}/registration`);
      return res.body.state === 'confirmed' ? true : undefined;
    });
  });

  /** Nothing in `text` that leads to an account: emails, wallets, account ids, the owner. */
  function expectNothingPrivate(text: string) {
    for (const account of [adaAccount, artistAccount]) {
      expect(text).not.toContain(account.email);
      expect(text.toLowerCase()).not.toContain(account.walletAddress.toLowerCase());
      expect(text).not.toContain(account.id);
    }
    expect(text).not.toContain(ada.subject);
    expect(text).not.toContain('idempotencyKey');
    expect(text).not.toContain('authorId');
  }

  it('reads publicly (anonymous, or another user) without emails, wallets or account ids', async () => {
    for (const as of [undefined, ben]) {
      const read = await call<Story>(as, 'GET', `/v1/stories/${story.id}`);
      expect(read.status).toBe(200);
      expect(read.headers.get('vary')).toMatch(/authorization/i);
      expect(read.body).toMatchObject({
        id: story.id,
        title: 'The Lighthouse Keeper',
        status: 'published',
        contributors: [
          { role: 'author', shareBasisPoints: 7000 },
          { role: 'artist', shareBasisPoints: 3000 },
        ],
        registration: { state: 'confirmed' },
      });
      expectNothingPrivate(read.text);

      const registration = await call(as, 'GET', `/v1/stories/${story.id}/registration`);
      expect(registration.status).toBe(200);
      expect(registration.body).toMatchObject({ state: 'confirmed' });
      expectNothingPrivate(registration.text);

      const list = await call<{ items: Story[] }>(as, 'GET', '/v1/stories?limit=100');
      expect(list.status).toBe(200);
      expect(list.body.items.map((s) => s.id)).toContain(story.id);
      expect(list.body.items.every((s) => s.status === 'published')).toBe(true);
      expectNothingPrivate(list.text);
    }
    // The author still sees it all.
    const own = await call<Story>(ada, 'GET', `/v1/stories/${story.id}`);
    expect(own.body.authorId).toBe(adaAccount.id);
    expect(own.body.contributors[1]?.walletAddress).toBe(artistAccount.walletAddress);
    expect(own.body.registration?.idempotencyKey).toBeTruthy();
  });

  it('lists no drafts to anyone but their author', async () => {
    const hidden = await draft(ada, adaAccount.id);
    for (const as of [undefined, ben]) {
      const list = await call<{ items: Story[] }>(as, 'GET', '/v1/stories?limit=100');
      expect(list.body.items.map((s) => s.id)).not.toContain(hidden.id);
    }
    const own = await call<{ items: Story[] }>(
      ada,
      'GET',
      `/v1/stories?authorId=${adaAccount.id}&limit=100`,
    );
    expect(own.body.items.map((s) => s.id)).toContain(hidden.id);
  });

  it('royalties: the payer role pays, contributors see the split, each claims to their own wallet', async () => {
    const path = `/v1/stories/${story.id}/royalties`;
    expectForbidden(
      await call(ada, 'POST', `${path}/payments`, { amountWei: '1000' }),
      'author pays',
    );
    const paid = await call(payer, 'POST', `${path}/payments`, { amountWei: '4000' });
    expect(paid.status, paid.text).toBe(201);

    expectForbidden(await call(ben, 'GET', path), 'a stranger reads the split');
    expectForbidden(await call(payer, 'GET', path), 'the payer reads the split');
    const split = await eventually('the payment to be claimable', async () => {
      const res = await call<{ claimable: { amountWei: string }[] }>(artist, 'GET', path);
      expect(res.status).toBe(200);
      return res.body.claimable.some((c) => c.amountWei !== '0') ? res.body : undefined;
    });
    expect(split.claimable).toHaveLength(2);

    expectForbidden(
      await call(ben, 'POST', `${path}/claims`, { walletAddress: adaAccount.walletAddress }),
      'a stranger claims to her wallet',
    );
    expectForbidden(
      await call(artist, 'POST', `${path}/claims`, { walletAddress: adaAccount.walletAddress }),
      'a co-contributor claims to her wallet',
    );
    const claim = await call<{ amountWei: string }>(ada, 'POST', `${path}/claims`, {
      walletAddress: adaAccount.walletAddress,
    });
    expect(claim.status, claim.text).toBe(201);
    expect(claim.body.amountWei).toBe('2800');
  });
});

describe('signing up', () => {
  it('does not reveal whether someone else registered an email; tells the owner about their own', async () => {
    const email = 'taken@example.com';
    const first = await call<Account>(ada, 'POST', '/v1/accounts', {
      email,
      displayName: 'Ada again',
      walletAddress: randomWallet(),
    });
    expect(first.status).toBe(201);

    // Someone else, the same email (any case): the same answer as for a fresh one.
    const probe = await call<Account>(ben, 'POST', '/v1/accounts', {
      email: 'TAKEN@example.com',
      displayName: 'Ben probing',
      walletAddress: randomWallet(),
    });
    const fresh = await call<Account>(ben, 'POST', '/v1/accounts', {
      email: `never-seen-${Date.now()}@example.com`,
      displayName: 'Ben fresh',
      walletAddress: randomWallet(),
    });
    expect(probe.status).toBe(fresh.status);
    expect(probe.status).toBe(201);
    expect(Object.keys(probe.body).sort()).toEqual(Object.keys(fresh.body).sort());
    expect(probe.body.id).not.toBe(first.body.id);
    expect(probe.text).not.toContain(first.body.id);

    // Only the owner of the first account hears about the duplicate.
    const again = await call(ada, 'POST', '/v1/accounts', {
      email: 'Taken@Example.com',
      displayName: 'Ada twice',
      walletAddress: randomWallet(),
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      detail: 'you already have an account with email taken@example.com',
    });

    // And Ben's account with that email is Ben's alone.
    expectForbidden(await call(ada, 'GET', `/v1/accounts/${probe.body.id}`), 'read his');
  });
});

describe('the OpenAPI document', () => {
  it('declares the bearer scheme and each route’s security', async () => {
    const doc = (
      await call<{
        components: { securitySchemes: Record<string, Record<string, string>> };
        paths: Record<
          string,
          Record<string, { security?: unknown; responses: Record<string, unknown> }>
        >;
      }>(undefined, 'GET', '/docs/json')
    ).body;
    expect(doc.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    const signedIn = [{ bearer: [] }];
    const optional = [{}, { bearer: [] }];
    expect(doc.paths['/v1/accounts']?.post?.security).toEqual(signedIn);
    expect(doc.paths['/v1/accounts/{id}']?.get?.security).toEqual(signedIn);
    expect(doc.paths['/v1/stories']?.post?.security).toEqual(signedIn);
    expect(doc.paths['/v1/stories']?.get?.security).toEqual(optional);
    expect(doc.paths['/v1/stories/{id}']?.get?.security).toEqual(optional);
    expect(doc.paths['/v1/stories/{id}']?.patch?.security).toEqual(signedIn);
    expect(doc.paths['/v1/stories/{id}/royalties/payments']?.post?.security).toEqual(signedIn);
    expect(doc.paths['/healthz']?.get?.security).toBeUndefined();
    for (const status of ['401', '403', '429'])
      expect(doc.paths['/v1/stories/{id}/publish']?.post?.responses[status]).toBeDefined();
  });
});
