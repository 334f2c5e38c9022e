/**
 * What `createChainClient` (both entries) checks before building anything, so a missing or
 * mistyped option fails at start-up with the option's name, instead of as a bare
 * `TypeError: Invalid URL` from deep inside, or on the first call.
 */
import type { ChainClientOptions } from './client.js';
import { ChainClientOptionsError } from './errors.js';

const PROTOCOLS = new Set(['grpc', 'grpc-web', 'connect']);

export function checkClientOptions(options: ChainClientOptions | undefined): void {
  if (typeof options !== 'object' || options === null) {
    throw fail('options', `must be an object with at least { baseUrl }, got ${show(options)}`);
  }
  checkBaseUrl(options.baseUrl);
  const { protocol } = options;
  if (protocol !== undefined && typeof protocol !== 'function' && !PROTOCOLS.has(protocol)) {
    throw fail(
      'protocol',
      `must be "grpc", "grpc-web", "connect" or a function returning one, got ${show(protocol)}`,
    );
  }
  for (const name of ['timeoutMs', 'attemptTimeoutMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'number' && value > 0 && value < Infinity)) {
      throw fail(name, `must be a positive number of milliseconds, got ${show(value)}`);
    }
  }
}

function checkBaseUrl(baseUrl: unknown): void {
  const expected = 'must be an absolute http:// or https:// URL';
  if (typeof baseUrl !== 'string' || baseUrl === '') {
    throw fail('baseUrl', `${expected}, got ${show(baseUrl)}`);
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw fail('baseUrl', `${expected}, got ${show(baseUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // Credentials in a URL stay out of the message: messages end up in logs.
    const shown = url.username || url.password ? `${url.protocol}//…` : baseUrl;
    throw fail('baseUrl', `${expected}, got ${show(shown)}`);
  }
}

function fail(option: string, problem: string): ChainClientOptionsError {
  return new ChainClientOptionsError(option, `createChainClient: ${option} ${problem}`);
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
