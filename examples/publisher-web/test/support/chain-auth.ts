/**
 * The Chain server's bearer check in the browser tests: tokens of the tests' local issuer (the
 * demo's) for the chain audience, as the demo's Chain host accepts them.
 */
import { jwtVerifier } from '@mystira/chain-server';
import { CHAIN_AUDIENCE } from '../../../demo/src/identities.ts';
import type { LocalIssuer } from '../../../demo/src/issuer.ts';

export function chainAuth(issuer: LocalIssuer) {
  return {
    verifyBearer: jwtVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.url,
      audience: CHAIN_AUDIENCE,
    }),
  };
}
