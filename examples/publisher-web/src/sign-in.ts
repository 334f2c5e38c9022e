/**
 * Signing in and out: the form that takes an access token when nobody is signed in, and the
 * header badge that says who is (and until when), offers "Sign out", and turns into a warning
 * when the Chain service refuses the token (expired, revoked, not for this service).
 */
import { el, replaceChildren } from './dom.js';
import { type Session, SignInError, signIn, signOut } from './session.js';

export function createSignInForm(
  onSignedIn: (session: Session) => void,
  problem?: string,
): HTMLElement {
  const tokenId = 'sign-in-token';
  const token = el('textarea', {
    id: tokenId,
    name: 'token',
    rows: '4',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'sign-in-hint sign-in-error',
  });
  const error = el('p', { class: 'field-error', id: 'sign-in-error', role: 'alert' });
  const show = (message: string | undefined) => {
    error.textContent = message ?? '';
    error.hidden = message === undefined;
    if (message === undefined) token.removeAttribute('aria-invalid');
    else token.setAttribute('aria-invalid', 'true');
  };
  show(problem);
  const form = el(
    'form',
    { 'aria-label': 'Sign in', novalidate: true },
    el('div', { class: 'field' }, el('label', { for: tokenId }, 'Access token'), token),
    el(
      'p',
      { class: 'hint', id: 'sign-in-hint' },
      'Paste the access token your identity provider issued you (`npm run demo` prints one ' +
        'for each demo user, and a link that signs you in). It stays in this tab only.',
    ),
    error,
    el('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    try {
      onSignedIn(signIn(token.value));
    } catch (err) {
      show(err instanceof SignInError ? err.message : String(err));
      token.focus();
    }
  });
  return el(
    'section',
    { id: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    el('h2', { id: 'sign-in-title' }, 'Sign in'),
    el(
      'p',
      {},
      'The Chain service only answers people who are signed in: registering, paying and ' +
        'claiming need a token with the chain:write scope.',
    ),
    form,
  );
}

export interface AccountBadge {
  readonly element: HTMLElement;
  /** The Chain service refused the token: say so, and how to recover. */
  refused(): void;
}

export function createAccountBadge(session: Session | undefined): AccountBadge {
  const element = el('div', { class: 'account', 'data-testid': 'account' });
  if (!session) {
    replaceChildren(element, el('span', { 'data-state': 'signed-out' }, 'Signed out'));
    return { element, refused: () => undefined };
  }
  const until = session.expiresAt.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const status = el(
    'span',
    { 'data-state': 'signed-in', title: session.subject },
    `Signed in as ${session.name} · until ${until}`,
  );
  const out = el('button', { type: 'button', class: 'link' }, 'Sign out');
  out.addEventListener('click', () => {
    signOut();
    location.reload();
  });
  replaceChildren(element, status, out);
  return {
    element,
    refused() {
      status.dataset.state = 'refused';
      status.className = 'account-refused';
      status.textContent = `${session.name}: the Chain service refused your sign-in (expired or not valid here). Sign out and sign in again.`;
    },
  };
}
