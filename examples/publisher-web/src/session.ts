/**
 * Who is signed in to the page: an access token from the identity provider (the demo prints one
 * per user, and a link that hands it over in the URL's #fragment, which browsers never send to a
 * server). The token is kept in sessionStorage, so it lives as long as the tab and is not shared
 * with other tabs or kept after the browser closes.
 *
 * The page reads the token's claims only to say who is signed in and until when; it does not
 * (and cannot) verify them: the Chain service does, on every call.
 */

const STORAGE_KEY = 'mystira.publisher.token';

export interface Session {
  token: string;
  subject: string;
  /** The `name` claim when the token has one, else the subject. */
  name: string;
  expiresAt: Date;
  scopes: readonly string[];
}

export class SignInError extends Error {
  override name = 'SignInError';
}

/** The claims of a JWT, for display: throws SignInError for anything that is not a usable one. */
export function sessionOf(token: string, now = Date.now()): Session {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)))
    throw new SignInError('That is not an access token (a JWT: three parts separated by dots).');
  let claims: Record<string, unknown>;
  try {
    const json = atob((parts[1] as string).replaceAll('-', '+').replaceAll('_', '/'));
    claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  } catch {
    throw new SignInError('That token cannot be read.');
  }
  const { sub, exp, name, scope, scp } = claims;
  if (typeof sub !== 'string' || sub === '')
    throw new SignInError('That token names nobody (no sub).');
  if (typeof exp !== 'number')
    throw new SignInError('That token never expires (no exp); it is refused.');
  if (exp * 1000 <= now) throw new SignInError('That token has expired: get a new one.');
  const scopes = typeof scope === 'string' ? scope.split(' ') : Array.isArray(scp) ? scp : [];
  return {
    token: token.trim(),
    subject: sub,
    name: typeof name === 'string' && name ? name : sub,
    expiresAt: new Date(exp * 1000),
    scopes: scopes.filter((s): s is string => typeof s === 'string' && s !== ''),
  };
}

/**
 * The session at start-up: a token handed over in `#token=…` (taken out of the address bar at
 * once, so it is not bookmarked or shared by accident), else the one this tab kept.
 * `problem` says why a handed-over or kept token was not used.
 */
export function restoreSession(): { session?: Session; problem?: string } {
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromUrl !== null) history.replaceState(null, '', location.pathname + location.search);
  const token = fromUrl ?? sessionStorage.getItem(STORAGE_KEY);
  if (token === null) return {};
  try {
    return { session: signIn(token) };
  } catch (err) {
    signOut();
    return { problem: (err as Error).message };
  }
}

export function signIn(token: string): Session {
  const session = sessionOf(token);
  sessionStorage.setItem(STORAGE_KEY, session.token);
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
