/**
 * Signing in and out: the form that takes an access token when nobody is signed in, and the
 * header badge that says who is (and until when), offers "Sign out", and turns into a warning
 * when the Chain service refuses the token (expired, revoked, not for this service).
 */
import { type FormEvent, useRef, useState } from 'react';
import { type Session, SignInError, signIn, signOut } from '../session.js';

export function SignInForm({
  onSignedIn,
  problem,
}: {
  onSignedIn: (session: Session) => void;
  problem?: string | undefined;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(problem);
  const input = useRef<HTMLTextAreaElement>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    try {
      onSignedIn(signIn(token));
    } catch (err) {
      setError(err instanceof SignInError ? err.message : String(err));
      input.current?.focus();
    }
  };
  return (
    <section id="sign-in" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <p>
        The Chain service only answers people who are signed in: registering, paying and claiming
        need a token with the chain:write scope.
      </p>
      <form aria-label="Sign in" noValidate onSubmit={submit}>
        <div className="field">
          <label htmlFor="sign-in-token">Access token</label>
          <textarea
            id="sign-in-token"
            ref={input}
            name="token"
            rows={4}
            autoComplete="off"
            spellCheck={false}
            aria-describedby="sign-in-hint sign-in-error"
            aria-invalid={error === undefined ? undefined : true}
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        </div>
        <p className="hint" id="sign-in-hint">
          Paste the access token your identity provider issued you (`npm run demo` prints one for
          each demo user, and a link that signs you in). It stays in this tab only.
        </p>
        <p className="field-error" id="sign-in-error" role="alert" hidden={error === undefined}>
          {error ?? ''}
        </p>
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}

export function AccountBadge({
  session,
  refused,
}: {
  session: Session | undefined;
  refused: boolean;
}) {
  if (!session)
    return (
      <div className="account" data-testid="account">
        <span data-state="signed-out">Signed out</span>
      </div>
    );
  const until = session.expiresAt.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <div className="account" data-testid="account">
      {refused ? (
        <span data-state="refused" className="account-refused" title={session.subject}>
          {session.name}: the Chain service refused your sign-in (expired or not valid here). Sign
          out and sign in again.
        </span>
      ) : (
        <span data-state="signed-in" title={session.subject}>
          Signed in as {session.name} · until {until}
        </span>
      )}
      <button
        type="button"
        className="link"
        onClick={() => {
          signOut();
          location.reload();
        }}
      >
        Sign out
      </button>
    </div>
  );
}
