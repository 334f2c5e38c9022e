/**
 * Field violations name a field twice: `field` is the proto path google.rpc.BadRequest carries
 * (`contributors[1].wallet_address`, the same for every language), `inputField` the path in the
 * names of the facade's inputs (`contributors[1].walletAddress`), whoever found the violation.
 */

import {
  ChainInvalidArgumentError,
  createChainClient,
  type FieldViolation,
  toChainError,
} from '@mystira/chain-client';
import { badRequest } from '@mystira/chain-server';
import { describe, expect, it } from 'vitest';
import { WALLET_A } from './support/fake-chain.js';

const inputFields = (err: { fieldViolations: readonly FieldViolation[] }) =>
  err.fieldViolations.map((v) => [v.field, v.inputField]);

describe('field violations', () => {
  it('carry the server’s proto path and the input path of each field', () => {
    const err = toChainError(
      badRequest([
        { field: 'contributors[1].wallet_address', description: 'bad', reason: 'R' },
        { field: 'contributors[0].share_basis_points', description: 'bad', reason: 'R' },
        { field: 'contributors[2].contributor_type', description: 'bad', reason: 'R' },
        { field: 'transaction_hashes[3]', description: 'bad', reason: 'R' },
        { field: 'amount_wei', description: 'bad', reason: 'R' },
        { field: 'content_id', description: 'bad', reason: 'R' },
      ]),
      'RegisterIpAsset',
    );
    expect(err).toBeInstanceOf(ChainInvalidArgumentError);
    expect(inputFields(err)).toEqual([
      ['contributors[1].wallet_address', 'contributors[1].walletAddress'],
      ['contributors[0].share_basis_points', 'contributors[0].shareBasisPoints'],
      // The facade calls a contributor's contributor_type its role.
      ['contributors[2].contributor_type', 'contributors[2].role'],
      ['transaction_hashes[3]', 'transactionHashes[3]'],
      ['amount_wei', 'amountWei'],
      ['content_id', 'contentId'],
    ]);
    expect(err.fieldViolations[0]).toEqual({
      field: 'contributors[1].wallet_address',
      inputField: 'contributors[1].walletAddress',
      description: 'bad',
      reason: 'R',
    });
  });

  it('are the same for the client’s own validation, before anything is sent', async () => {
    // Nothing listens on port 9: these fail before a connection is attempted.
    const client = createChainClient({ baseUrl: 'http://127.0.0.1:9', retry: false });
    try {
      const role = await client
        .registerIpAsset({
          contentId: 'c',
          contentTitle: 'T',
          contributors: [
            { walletAddress: WALLET_A, role: 'author', shareBasisPoints: 5000 },
            // biome-ignore lint/suspicious/noExplicitAny: a role the types would refuse
            { walletAddress: WALLET_A, role: 'editor' as any, shareBasisPoints: 5000 },
          ],
        })
        .catch((e: unknown) => e);
      expect(role).toBeInstanceOf(ChainInvalidArgumentError);
      expect(inputFields(role as ChainInvalidArgumentError)).toEqual([
        ['contributors[1].contributor_type', 'contributors[1].role'],
      ]);
      const wei = await client
        .payRoyalties({ ipAssetId: 'ip', amountWei: 'ten' })
        .catch((e: unknown) => e);
      expect(inputFields(wei as ChainInvalidArgumentError)).toEqual([['amount_wei', 'amountWei']]);
    } finally {
      client.close();
    }
  });

  it('keep an inputField given when the error is built by hand', () => {
    const err = new ChainInvalidArgumentError({
      code: 3,
      message: 'bad',
      fieldViolations: [
        { field: 'content_id', description: 'is required' },
        { field: 'x_y', inputField: 'custom', description: 'd' },
      ],
    });
    expect(inputFields(err)).toEqual([
      ['content_id', 'contentId'],
      ['x_y', 'custom'],
    ]);
  });
});
