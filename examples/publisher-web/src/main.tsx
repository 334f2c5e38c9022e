/**
 * The Publisher page: reads /config.json, takes the signed-in person's token (or asks for one),
 * and renders the React page (TanStack Query, connect-query) into #root.
 *
 * This entry holds only what the sign-in screen needs (React, the session, the config): the
 * signed-in page, with the Connect, protobuf, TanStack and OpenTelemetry code it calls the Chain
 * service with, is loaded when someone is signed in (`lazy`), as are the words for an error.
 */
import { lazy, type ReactNode, StrictMode, Suspense, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { LoadFailure } from './components/LoadFailure.js';
import { AccountBadge, SignInForm } from './components/SignIn.js';
import { ConfigError, loadConfig, type PageConfig } from './config.js';
import { restoreSession, type Session } from './session.js';
import './styles.css';

const SignedInPage = lazy(() => import('./App.js').then((m) => ({ default: m.SignedInPage })));

/** errors.ts reads Connect's errors, so it comes with the Connect chunk, only when needed. */
const describeError = async (err: unknown): Promise<string> =>
  (await import('./errors.js')).describeError(err);

function Header({ children }: { children: ReactNode }) {
  return (
    <header className="top">
      <h1>Mystira Publisher</h1>
      {children}
    </header>
  );
}

function Footer({ lastTrace }: { lastTrace?: string }) {
  return (
    <footer id="footer" className="muted">
      Calls the Mystira Chain service over Connect-Web.
      {lastTrace !== undefined ? (
        <span className="mono" data-testid="last-trace">
          {lastTrace}
        </span>
      ) : null}
    </footer>
  );
}

/** Anything that escaped a handler still reaches the person, never only the console. */
function UnexpectedBanner() {
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    const show = (err: unknown) => void describeError(err).then(setProblem);
    const onError = (event: ErrorEvent) => show(event.error ?? event.message);
    const onRejection = (event: PromiseRejectionEvent) => show(event.reason);
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    return () => {
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onRejection);
    };
  }, []);
  return (
    <div className="alert banner" role="alert" hidden={problem === undefined}>
      {problem ? `Something went wrong: ${problem}` : ''}
    </div>
  );
}

function Page() {
  const [config, setConfig] = useState<PageConfig>();
  const [configError, setConfigError] = useState<string>();
  const [{ session, problem }, setSession] = useState<{ session?: Session; problem?: string }>(
    restoreSession,
  );
  // A token handed over while the page is open (the demo's link opened in this tab) signs in too.
  useEffect(() => {
    const onHashChange = () => {
      if (new URLSearchParams(location.hash.slice(1)).has('token')) setSession(restoreSession());
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);
  useEffect(() => {
    loadConfig().then(setConfig, async (err: unknown) =>
      setConfigError(err instanceof ConfigError ? err.message : await describeError(err)),
    );
  }, []);

  if (configError || !config || !session)
    return (
      <>
        <Header>
          <AccountBadge session={undefined} refused={false} />
        </Header>
        <UnexpectedBanner />
        <main id="app">
          {configError ? (
            <div className="alert" role="alert">
              <p>{configError}</p>
              <p>The page needs /config.json with {'{ "chainUrl": "http://host:port" }'}.</p>
            </div>
          ) : !config ? (
            <p className="muted">Loading…</p>
          ) : (
            <SignInForm onSignedIn={(s) => setSession({ session: s })} problem={problem} />
          )}
        </main>
        <Footer />
      </>
    );
  return (
    <Suspense
      fallback={
        <>
          <Header>
            <AccountBadge session={session} refused={false} />
          </Header>
          <main id="app">
            <p className="muted" role="status">
              Loading the page…
            </p>
          </main>
          <Footer />
        </>
      }
    >
      <UnexpectedBanner />
      <LoadFailure>
        <SignedInPage
          key={session.token}
          config={config}
          session={session}
          header={(content) => <Header>{content}</Header>}
          footer={(lastTrace) => <Footer lastTrace={lastTrace} />}
        />
      </LoadFailure>
    </Suspense>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <Page />
  </StrictMode>,
);
