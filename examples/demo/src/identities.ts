/**
 * Who is who in the demo: the audiences of the two APIs, the demo's people (each gets a printed
 * token) and the App API's own service client. Tests of the App API and the Publisher page mint
 * their tokens the same way.
 */
import type { IssuerClient, LocalIssuer } from './issuer.ts';

/** `aud` the App API accepts (its AUTH_AUDIENCE). */
export const APP_API_AUDIENCE = 'https://api.mystira.example/app';
/** `aud` the Chain host accepts (its jwtVerifier's audience). */
export const CHAIN_AUDIENCE = 'https://api.mystira.example/chain';
/** What a person signed in to the Publisher page may do on the chain. */
export const USER_CHAIN_SCOPE = 'chain:read chain:write';

export interface DemoUser {
  /** The token's `sub`: stable across runs, so accounts created in one run are still theirs. */
  subject: string;
  name: string;
  /** App API roles (`roles` claim): `payer` pays royalties, `admin` runs the /v1/admin routes. */
  roles: string[];
}

export const DEMO_USERS = {
  ada: { subject: 'demo|ada', name: 'Ada (author)', roles: [] },
  grace: { subject: 'demo|grace', name: 'Grace (artist)', roles: [] },
  pat: { subject: 'demo|pat', name: 'Pat (pays royalties)', roles: ['payer'] },
  ops: { subject: 'demo|ops', name: 'Ops (administrator)', roles: ['admin'] },
} as const satisfies Record<string, DemoUser>;

export type DemoUserName = keyof typeof DEMO_USERS;

/**
 * A user's access token: for both APIs (the Publisher page calls the Chain host with the same
 * token the scenario uses for the App API), with the chain scopes and the user's roles.
 */
export function userToken(
  issuer: LocalIssuer,
  user: DemoUser,
  options: { expiresInSec?: number; scope?: string } = {},
): Promise<string> {
  return issuer.sign(
    {
      sub: user.subject,
      name: user.name,
      aud: [APP_API_AUDIENCE, CHAIN_AUDIENCE],
      scope: options.scope ?? USER_CHAIN_SCOPE,
      roles: user.roles,
    },
    { expiresInSec: options.expiresInSec },
  );
}

/** Every demo user's token. Default lifetime 12 h: the demo serves until Ctrl-C. */
export async function demoTokens(
  issuer: LocalIssuer,
  expiresInSec = 12 * 3600,
): Promise<Record<DemoUserName, string>> {
  const entries = await Promise.all(
    Object.entries(DEMO_USERS).map(
      async ([name, user]) => [name, await userToken(issuer, user, { expiresInSec })] as const,
    ),
  );
  return Object.fromEntries(entries) as Record<DemoUserName, string>;
}

/**
 * The App API's service credential towards the Chain host: client credentials at the issuer's
 * token endpoint, for the chain audience only. The secret is made up at each start.
 */
export function appApiClient(secret: string): IssuerClient {
  return {
    id: 'mystira-app-api',
    secret,
    audience: CHAIN_AUDIENCE,
    scope: 'chain:read chain:write',
    ttlSec: 300,
  };
}
