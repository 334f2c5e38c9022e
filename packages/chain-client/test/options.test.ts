/**
 * createChainClient checks its options before building anything: a missing or unusable option
 * fails at once, naming the option, in both entries (not as `TypeError: Invalid URL`).
 */
import {
  ChainClientOptionsError,
  type ChainProtocol,
  createChainClient,
} from '@mystira/chain-client';
import { createChainClient as createWebChainClient } from '@mystira/chain-client/web';
import { describe, expect, it } from 'vitest';

const entries = [
  ['node', createChainClient],
  ['web', createWebChainClient],
] as const;

describe.each(entries)('createChainClient (%s entry)', (_entry, create) => {
  const attempt = (options: unknown) => {
    try {
      create(options as Parameters<typeof create>[0]).close();
    } catch (err) {
      return err;
    }
    return undefined;
  };

  it.each([
    ['missing', {}, 'got undefined'],
    ['empty', { baseUrl: '' }, 'got ""'],
    ['not a string', { baseUrl: 50051 }, 'got 50051'],
    ['relative', { baseUrl: '/chain' }, 'got "/chain"'],
    ['without a scheme', { baseUrl: 'localhost:50051' }, 'got "localhost:50051"'],
    ['another scheme', { baseUrl: 'ws://chain.internal' }, 'got "ws://chain.internal"'],
  ])('rejects a baseUrl that is %s', (_case, options, got) => {
    const err = attempt(options) as ChainClientOptionsError;
    expect(err).toBeInstanceOf(ChainClientOptionsError);
    expect(err).toBeInstanceOf(TypeError);
    expect(err.option).toBe('baseUrl');
    expect(err.message).toBe(
      `createChainClient: baseUrl must be an absolute http:// or https:// URL, ${got}`,
    );
  });

  it('keeps credentials in a rejected baseUrl out of the message', () => {
    const err = attempt({ baseUrl: 'ftp://user:secret@chain.internal' }) as Error;
    expect(err).toBeInstanceOf(ChainClientOptionsError);
    expect(err.message).not.toContain('secret');
    expect(err.message).toContain('ftp:');
  });

  it('rejects missing options, an unknown protocol and impossible timeouts', () => {
    const cases: [unknown, string][] = [
      [undefined, 'options'],
      [null, 'options'],
      [{ baseUrl: 'http://127.0.0.1:9', protocol: 'http2' as ChainProtocol }, 'protocol'],
      [{ baseUrl: 'http://127.0.0.1:9', timeoutMs: 0 }, 'timeoutMs'],
      [{ baseUrl: 'http://127.0.0.1:9', timeoutMs: '5000' }, 'timeoutMs'],
      [
        { baseUrl: 'http://127.0.0.1:9', attemptTimeoutMs: Number.POSITIVE_INFINITY },
        'attemptTimeoutMs',
      ],
    ];
    for (const [options, option] of cases) {
      const err = attempt(options) as ChainClientOptionsError;
      expect(err, option).toBeInstanceOf(ChainClientOptionsError);
      expect(err.option).toBe(option);
      expect(err.message).toMatch(new RegExp(`^createChainClient: ${option} `));
    }
  });

  it('accepts http and https base URLs, with a path, and a protocol function', () => {
    expect(attempt({ baseUrl: 'http://127.0.0.1:50051' })).toBeUndefined();
    expect(attempt({ baseUrl: 'https://chain.example.com/api/' })).toBeUndefined();
    expect(
      attempt({ baseUrl: 'http://127.0.0.1:9', protocol: () => 'connect', timeoutMs: 250 }),
    ).toBeUndefined();
  });
});
