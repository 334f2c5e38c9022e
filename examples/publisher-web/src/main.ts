/**
 * The Publisher page: reads /config.json, takes the signed-in person's token (or asks for one),
 * sets up tracing and the Connect-Web Chain client calling with that token, and lays out the three
 * steps (register, follow the transaction, royalties).
 */

import { otelInterceptor } from '@mystira/chain-client/otel';
import {
  type ChainAuth,
  type ChainClient,
  createChainClient,
  type RegisterIpAssetInput,
} from '@mystira/chain-client/web';
import { ConfigError, loadConfig, type PageConfig } from './config.js';
import { createConnectionStatus } from './connection-status.js';
import { el, replaceChildren } from './dom.js';
import { describeError } from './errors.js';
import { explorerLookup } from './explorer.js';
import { createRegisterForm } from './register-form.js';
import { createRoyaltiesPanel } from './royalties.js';
import { restoreSession, type Session } from './session.js';
import { type AccountBadge, createAccountBadge, createSignInForm } from './sign-in.js';
import { setUpTracing } from './tracing.js';
import { followTransaction } from './transaction-card.js';
import './styles.css';

const app = document.getElementById('app') as HTMLElement;
const banner = document.getElementById('banner') as HTMLElement;

/** Anything that escaped a handler still reaches the person, never only the console. */
function showUnexpected(reason: unknown): void {
  banner.hidden = false;
  replaceChildren(banner, `Something went wrong: ${describeError(reason)}`);
}
window.addEventListener('error', (event) => showUnexpected(event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => showUnexpected(event.reason));

function section(id: string, title: string, ...content: Node[]): HTMLElement {
  return el(
    'section',
    { id, 'aria-labelledby': `${id}-title` },
    el('h2', { id: `${id}-title` }, title),
    ...content,
  );
}

type Interceptor = Extract<ChainAuth, { type: 'interceptor' }>['interceptor'];

/** Connect's code for UNAUTHENTICATED (the token was refused). */
const UNAUTHENTICATED = 16;

/**
 * `authorization: Bearer <token>` on every call, from the session. A refusal of the token is
 * shown in the header badge (the call's own error still reaches its section).
 */
function bearer(session: Session, badge: AccountBadge): Interceptor {
  return (next) => async (req) => {
    req.header.set('authorization', `Bearer ${session.token}`);
    try {
      return await next(req);
    } catch (err) {
      if ((err as { code?: unknown }).code === UNAUTHENTICATED) badge.refused();
      throw err;
    }
  };
}

function mount(chain: ChainClient, config: PageConfig, lastTrace: HTMLElement): void {
  const registrationOut = el('div', {}, el('p', { class: 'muted' }, 'Nothing registered yet.'));
  // Asked once the first transaction is shown: which network, hence which explorer (if any).
  const explorer = explorerLookup(() => chain.getServiceInfo({ timeoutMs: 3_000, retry: false }));
  const royalties = createRoyaltiesPanel(chain, explorer);

  let latest = 0;
  const register = async (input: RegisterIpAssetInput) => {
    const registration = await chain.registerIpAsset(input);
    // A newer registration takes over the page; an older one still settling must not come back.
    const mine = ++latest;
    if (!registration.registrationTxHash) {
      throw new Error(
        registration.errorMessage ||
          `The registration came back ${registration.status} without a transaction`,
      );
    }
    const card = followTransaction(
      chain,
      `Registration of “${input.contentTitle}”`,
      registration.registrationTxHash,
      explorer,
    );
    const asset = el(
      'p',
      { class: 'muted', 'data-testid': 'asset-id' },
      `IP asset ${registration.ipAssetId ?? '(assigned when final)'}`,
    );
    replaceChildren(registrationOut, card.element, asset);
    card.element.scrollIntoView({ block: 'nearest' });
    // The form is free again as soon as the registration is submitted; following it runs on.
    void card.settled
      .then(async (final) => {
        if (final.status !== 'confirmed' || mine !== latest) return;
        const ipAssetId =
          registration.ipAssetId ?? (await chain.getIpAssetStatus(input.contentId)).ipAssetId;
        if (!ipAssetId)
          throw new Error('The registration is final but the chain reports no IP asset id');
        asset.textContent = `IP asset ${ipAssetId}`;
        const view = await explorer();
        if (view?.kind === 'links') {
          const href = view.explorer.ipAssetUrl(ipAssetId);
          asset.append(
            ' · ',
            el(
              'a',
              { href, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'ip-explorer' },
              `on ${view.explorer.label}'s IP explorer`,
            ),
          );
        }
        await royalties.show(ipAssetId);
      })
      .catch(showUnexpected);
  };

  replaceChildren(
    app,
    section('register', '1 · Register a story', createRegisterForm(register).element),
    section('registration', '2 · Registration on the chain', registrationOut),
    section('royalties', '3 · Royalties', royalties.element),
  );
  replaceChildren(
    document.getElementById('connection') as HTMLElement,
    createConnectionStatus(chain, config.chainUrl),
  );
  document.getElementById('footer')?.append(lastTrace);
}

/** Nobody signed in: only the sign-in form; signing in starts the page proper. */
function askToSignIn(config: PageConfig, problem?: string): void {
  const account = document.getElementById('account') as HTMLElement;
  replaceChildren(account, createAccountBadge(undefined).element);
  replaceChildren(
    app,
    createSignInForm((session) => startSignedIn(config, session), problem),
  );
}

function startSignedIn(config: PageConfig, session: Session): void {
  const badge = createAccountBadge(session);
  replaceChildren(document.getElementById('account') as HTMLElement, badge.element);
  const tracing = setUpTracing();
  const lastTrace = el('span', { class: 'mono', 'data-testid': 'last-trace' }, '');
  tracing.onSpanEnd((span) => {
    lastTrace.textContent = ` · last call ${span.name.split('/').pop()} in trace ${span.spanContext().traceId}`;
  });
  const chain = createChainClient({
    baseUrl: config.chainUrl,
    protocol: 'connect',
    timeoutMs: 10_000,
    interceptors: [otelInterceptor({ tracer: tracing.tracer })],
    auth: { type: 'interceptor', interceptor: bearer(session, badge) },
  });
  mount(chain, config, lastTrace);
}

async function start(): Promise<void> {
  let config: PageConfig;
  try {
    config = await loadConfig();
  } catch (err) {
    replaceChildren(
      app,
      el(
        'div',
        { class: 'alert', role: 'alert' },
        el('p', {}, err instanceof ConfigError ? err.message : describeError(err)),
        el('p', {}, 'The page needs /config.json with { "chainUrl": "http://host:port" }.'),
      ),
    );
    return;
  }
  const { session, problem } = restoreSession();
  if (session) startSignedIn(config, session);
  else askToSignIn(config, problem);
}

void start().catch(showUnexpected);
