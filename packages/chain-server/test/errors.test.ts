/** Unexpected failures: the client gets INTERNAL without the message, the host gets the cause. */
import { Code, ConnectError } from '@connectrpc/connect';
import { DevnetLedger } from '@mystira/chain-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clientFor, type Running, startServer } from './helpers.js';

class BrokenLedger extends DevnetLedger {
  override async getAssetByContentId(): Promise<undefined> {
    throw new Error('database password is hunter2');
  }
}

const reported: [string, string][] = [];
let r: Running;
beforeAll(async () => {
  r = await startServer({
    ledger: new BrokenLedger({ blockIntervalMs: 0 }),
    onInternalError: (e, method) => reported.push([method, (e as Error).message]),
  });
});
afterAll(() => r.close());

it.each(['grpc', 'grpc-web', 'connect-json'] as const)('%s', async (protocol) => {
  reported.length = 0;
  const err = ConnectError.from(
    await clientFor(protocol, r.baseUrl)
      .isRegistered({ contentId: 'x' })
      .catch((e: unknown) => e),
  );
  expect(err.code).toBe(Code.Internal);
  expect(err.rawMessage).not.toContain('hunter2');
  expect(reported).toEqual([['isRegistered', 'database password is hunter2']]);
});

it('unavailable ledgers are UNAVAILABLE, not INTERNAL', async () => {
  const down = await startServer();
  try {
    down.ledger.setAvailable(false);
    await expect(
      clientFor('grpc', down.baseUrl).isRegistered({ contentId: 'x' }),
    ).rejects.toMatchObject({ code: Code.Unavailable });
  } finally {
    await down.close();
  }
});
