/**
 * The page once someone is signed in: the Chain client and the connect-query transport calling
 * with their token, and the steps (register a story, follow it, its royalties, its license terms
 * and a derivative scenario with the royalty flow from the scenario to the story).
 */
import { TransportProvider } from '@connectrpc/connect-query';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense, useCallback, useMemo, useState } from 'react';
import { type PageServices, ServicesProvider } from './chain.js';
import type { CreatedCollection } from './components/CollectionsSection.js';
import { ConnectionStatus } from './components/ConnectionStatus.js';
import { LoadFailure } from './components/LoadFailure.js';
import { RegisterStoryForm } from './components/RegisterStoryForm.js';
import { RoyaltiesPanel } from './components/RoyaltiesPanel.js';
import { AccountBadge } from './components/SignIn.js';
import { type Registration, StoryRegistration } from './components/StoryRegistration.js';
import type { PageConfig } from './config.js';
import type { Session } from './session.js';
import { createPageTransport } from './transport.js';

/**
 * The IP features (collections; licensing and derivatives) are loaded when the signed-in page
 * renders them, after its first paint: licensing only once a story is final.
 */
const CollectionsSection = lazy(() =>
  import('./components/CollectionsSection.js').then((m) => ({ default: m.CollectionsSection })),
);
const LicensingSection = lazy(() =>
  import('./components/LicensingSection.js').then((m) => ({ default: m.LicensingSection })),
);

const loading = (what: string) => (
  <p className="muted" role="status">
    Loading {what}…
  </p>
);

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

export function SignedInPage({
  config,
  session,
  header,
  footer,
}: {
  config: PageConfig;
  session: Session;
  header: (content: ReactNode) => ReactNode;
  footer: (lastTrace: string) => ReactNode;
}) {
  const [refused, setRefused] = useState(false);
  const [lastTrace, setLastTrace] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const announce = useCallback((message: string) => setAnnouncement(message), []);
  const { services, transport, queryClient } = useMemo(() => {
    const page = createPageTransport(config, session, {
      onRefused: () => setRefused(true),
      onCall: (name, traceId) => setLastTrace(` · last call ${name} in trace ${traceId}`),
    });
    const queryClient = new QueryClient({
      defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } },
    });
    const services: Omit<PageServices, 'announce'> = {
      chain: page.chain,
      chainUrl: config.chainUrl,
      explorer: page.explorer,
    };
    return { services, transport: page.transport, queryClient };
  }, [config, session]);
  const value = useMemo(() => ({ ...services, announce }), [services, announce]);

  const [registration, setRegistration] = useState<Registration>();
  const [story, setStory] = useState<{ contentId: string; ipAssetId: string }>();
  const [collections, setCollections] = useState<CreatedCollection[]>([]);

  return (
    <ServicesProvider value={value}>
      <TransportProvider transport={transport}>
        <QueryClientProvider client={queryClient}>
          {header(
            <>
              <AccountBadge session={session} refused={refused} />
              <ConnectionStatus />
            </>,
          )}
          <main id="app">
            <Section id="register" title="1 · Register a story">
              <RegisterStoryForm
                onRegister={async (input) => {
                  const result = await value.chain.registerIpAsset(input);
                  if (!result.registrationTxHash)
                    throw new Error(
                      result.errorMessage ||
                        `The registration came back ${result.status} without a transaction`,
                    );
                  // A newer registration takes over the page.
                  setStory(undefined);
                  setRegistration({ input, result, transactionHash: result.registrationTxHash });
                  announce(`Registration of “${input.contentTitle}” submitted`);
                }}
              />
            </Section>
            <Section id="registration" title="2 · Registration on the chain">
              <StoryRegistration
                key={registration?.transactionHash}
                registration={registration}
                onFinal={(ipAssetId) =>
                  registration && setStory({ contentId: registration.input.contentId, ipAssetId })
                }
              />
            </Section>
            <Section id="royalties" title="3 · Royalties">
              {story ? (
                <RoyaltiesPanel key={story.ipAssetId} ipAssetId={story.ipAssetId} />
              ) : (
                <p className="muted">Register a story to see its royalty split.</p>
              )}
            </Section>
            <Section id="collections" title="4 · NFT collections">
              <LoadFailure>
                <Suspense fallback={loading('collections')}>
                  <CollectionsSection
                    collections={collections}
                    onCreated={(created) => setCollections((all) => [...all, created])}
                  />
                </Suspense>
              </LoadFailure>
            </Section>
            <Section id="licensing" title="5 · License terms and derivatives">
              {story ? (
                <LoadFailure>
                  <Suspense fallback={loading('licensing')}>
                    <LicensingSection
                      key={story.ipAssetId}
                      story={story}
                      collections={collections}
                    />
                  </Suspense>
                </LoadFailure>
              ) : (
                <p className="muted">
                  Register a story to license it and derive scenarios from it.
                </p>
              )}
            </Section>
            <div className="visually-hidden" aria-live="polite" data-testid="announcer">
              {announcement}
            </div>
          </main>
          {footer(lastTrace)}
        </QueryClientProvider>
      </TransportProvider>
    </ServicesProvider>
  );
}
