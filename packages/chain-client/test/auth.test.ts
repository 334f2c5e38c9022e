/** Auth over a real socket: API key header, bearer tokens refreshed before expiry, shared refreshes. */

import { Code, ConnectError } from '@connectrpc/connect';
import {
  type AccessToken,
  ChainUnauthenticatedError,
  createChainClient,
  TokenCache,
} from '@mystira/chain-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serveFake } from './support/fake-chain.js';

let server: RunningServer;
let reject = false;
beforeAll(async () => {
  server = await serveFake({
    fault: () => {
      if (reject) throw new ConnectError('bad token', Code.Unauthenticated);
    },
  });
});
afterAll(() => server.close());

describe('auth', () => {
  it('sends a static API key header', async () => {
    const c = createChainClient({ baseUrl: server.url, auth: { type: 'apiKey', apiKey: 'k-123' } });
    await c.isRegistered('a');
    expect(server.observed.at(-1)?.headers.get('x-api-key')).toBe('k-123');
    c.close();
  });

  it('sends a bearer token, refreshes it before expiry, and drops it after UNAUTHENTICATED', async () => {
    let now = 1_000_000;
    let n = 0;
    const credential = {
      async getToken(scopes: string | string[]): Promise<AccessToken> {
        expect(scopes).toEqual(['api://chain/.default']);
        n++;
        return { token: `t${n}`, expiresOnTimestamp: now + 600_000 };
      },
    };
    const c = createChainClient({
      baseUrl: server.url,
      auth: {
        type: 'bearer',
        credential,
        scopes: ['api://chain/.default'],
        refreshBeforeMs: 60_000,
        now: () => now,
      },
    });
    await Promise.all([c.isRegistered('a'), c.isRegistered('b'), c.isRegistered('c')]);
    expect(n).toBe(1); // concurrent calls share one token request
    expect(server.observed.at(-1)?.headers.get('authorization')).toBe('Bearer t1');
    now += 500_000; // 100 s before expiry: still outside the 60 s refresh window
    await c.isRegistered('a');
    expect(n).toBe(1);
    now += 50_000; // 50 s before expiry: refreshed before it can expire in flight
    await c.isRegistered('a');
    expect(n).toBe(2);
    expect(server.observed.at(-1)?.headers.get('authorization')).toBe('Bearer t2');
    reject = true;
    await expect(c.isRegistered('a')).rejects.toBeInstanceOf(ChainUnauthenticatedError);
    reject = false;
    await c.isRegistered('a');
    expect(server.observed.at(-1)?.headers.get('authorization')).toBe('Bearer t3');
    c.close();
  });

  it('keeps using a still-valid token when a refresh fails', async () => {
    let now = 0;
    let fail = false;
    const cache = new TokenCache(
      {
        async getToken() {
          if (fail) throw new Error('identity endpoint down');
          return { token: 'old', expiresOnTimestamp: now + 100_000 };
        },
      },
      'scope',
      60_000,
      () => now,
    );
    expect(await cache.get()).toBe('old');
    fail = true;
    now = 50_000; // inside the refresh window, not expired
    expect(await cache.get()).toBe('old');
    now = 100_001; // expired: the failure surfaces
    await expect(cache.get()).rejects.toBeInstanceOf(ChainUnauthenticatedError);
  });

  it('a custom interceptor runs on every call', async () => {
    const c = createChainClient({
      baseUrl: server.url,
      auth: {
        type: 'interceptor',
        interceptor: (next) => (req) => {
          req.header.set('x-tenant', 'acme');
          return next(req);
        },
      },
    });
    await c.getServiceInfo();
    expect(server.observed.at(-1)?.headers.get('x-tenant')).toBe('acme');
    c.close();
  });
});
