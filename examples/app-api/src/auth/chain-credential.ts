/**
 * The App API's own identity towards the Chain service: OAuth 2.0 client credentials (RFC 6749
 * §4.4), as Auth0 (`audience`) and Entra ID (`scope=api://…/.default`) both issue them. The chain
 * client wraps this in its token cache: one request in flight at a time, refreshed two minutes
 * before expiry, dropped after an UNAUTHENTICATED answer.
 *
 * Why a token rather than the CHAIN_API_KEY API key (still supported): the token is short-lived
 * and bound to the chain's audience, so a leaked one expires within minutes and is useless
 * elsewhere; the secret is rotated at the identity provider without touching the Chain host; and
 * the Chain host sees this service as its own principal (`sub` = the client id), which scopes its
 * idempotency keys apart from every user's.
 */
import type { ChainAuth, TokenCredentialLike } from '@mystira/chain-client';
import type { ChainCredential } from './config.ts';

type ClientCredentials = Extract<ChainCredential, { type: 'clientCredentials' }>;

/** A token provider for the chain client (shaped like `@azure/core-auth`'s TokenCredential). */
export function clientCredentials(
  credential: ClientCredentials,
  fetchImpl: typeof fetch = fetch,
): TokenCredentialLike {
  // client_secret_basic: both parts form-encoded first (RFC 6749 §2.3.1).
  const basic = Buffer.from(
    `${encodeURIComponent(credential.clientId)}:${encodeURIComponent(credential.clientSecret)}`,
  ).toString('base64');
  return {
    async getToken(_scopes, options) {
      const form = new URLSearchParams({ grant_type: 'client_credentials' });
      if (credential.audience) form.set('audience', credential.audience);
      if (credential.scope) form.set('scope', credential.scope);
      const signal = options?.abortSignal
        ? AbortSignal.any([options.abortSignal, AbortSignal.timeout(10_000)])
        : AbortSignal.timeout(10_000);
      const response = await fetchImpl(credential.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form,
        signal,
      });
      const body = (await response.json().catch(() => ({}))) as {
        access_token?: unknown;
        expires_in?: unknown;
        error?: unknown;
      };
      if (!response.ok || typeof body.access_token !== 'string')
        // The error code only (e.g. invalid_client): never the secret, never the body.
        throw new Error(
          `the token endpoint refused the App API's client credentials: HTTP ${response.status} ${typeof body.error === 'string' ? body.error : ''}`.trim(),
        );
      const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 300;
      return { token: body.access_token, expiresOnTimestamp: Date.now() + expiresIn * 1000 };
    },
  };
}

/** The chain client's `auth` option for a configured credential. */
export function chainAuth(credential: ChainCredential): ChainAuth | undefined {
  switch (credential.type) {
    case 'none':
      return undefined;
    case 'apiKey':
      return { type: 'apiKey', apiKey: credential.apiKey };
    case 'clientCredentials':
      return {
        type: 'bearer',
        credential: clientCredentials(credential),
        scopes: credential.scope ?? credential.audience ?? '',
        // Tokens of a few minutes: fetch the next one a minute before this one ends.
        refreshBeforeMs: 60_000,
      };
  }
}
