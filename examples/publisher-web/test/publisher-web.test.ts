/**
 * The Publisher page in a real browser (Debian's Chromium through playwright-core) against an
 * in-process Chain server (on the ledger support/test-ledger.ts chooses: the Story ledger on an embedded EVM node) that
 * requires bearer tokens from a local issuer (the demo's: keys made at start, a JWKS on its own
 * port): signing in (a pasted token, or one handed over in the #fragment), register a story and
 * follow it live to final, see the split, pay, see claimable balances, claim; field errors from the page and from the server; a refused token
 * (401) and a token without chain:write (403) said in words; the server stopped → a visible error.
 * A recording proxy in front of the Chain server proves every browser call carries the signed-in
 * person's token and a W3C traceparent.
 */

import { mkdirSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChainServer, createChainServer } from '@mystira/chain-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, userToken } from '../../demo/src/identities.ts';
import { type LocalIssuer, startLocalIssuer } from '../../demo/src/issuer.ts';
import { type RunningPublisherWeb, servePublisherWeb } from '../serve.ts';
import { chainAuth } from './support/chain-auth.ts';
import {
  ARTIST,
  AUTHOR,
  axeViolations,
  collectErrors,
  fillContributor,
  finalCard,
  launchChromium,
  SCENARIO_AUTHOR,
  signedIn,
  WAIT,
} from './support/page.ts';
import { startTestLedger, type TestLedger } from './support/test-ledger.ts';

const artifacts = join(fileURLToPath(new URL('..', import.meta.url)), 'test-results');
const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]$/;

/** Forwards every request to the Chain server, noting the headers of each real call. */
function recordingProxy(
  target: () => number,
  traceparents: string[],
  authorizations: string[],
): http.Server {
  return http.createServer((req, res) => {
    if (req.method !== 'OPTIONS') {
      traceparents.push(String(req.headers.traceparent ?? 'missing'));
      authorizations.push(String(req.headers.authorization ?? 'missing'));
    }
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: target(),
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    // Like the real server going away: the browser sees the connection drop.
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
}

/**
 * Registers a story with AUTHOR as its one contributor, expecting a refusal: waits until the
 * form's alert says all of `says`.
 */
async function registerUntilAlert(
  page: Page,
  contentId: string,
  title: string,
  ...says: (string | RegExp)[]
): Promise<void> {
  await page.getByLabel('Content id').fill(contentId);
  await page.getByLabel('Title').fill(title);
  await fillContributor(page, 1, AUTHOR, 'author', '10000');
  await page.getByRole('button', { name: 'Register story' }).click();
  let alert = page.getByRole('form', { name: 'Register a story' }).getByRole('alert');
  for (const text of says) alert = alert.filter({ hasText: text });
  await alert.waitFor(WAIT);
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('the Publisher page in Chromium', () => {
  /** The ledger under the Chain server: see support/test-ledger.ts (PUBLISHER_WEB_LEDGER). */
  let ledger: TestLedger;
  /** "Connected · devnet" (or the network the ledger reports). */
  const connected = () => `Connected · ${ledger.network}`;
  const traceparents: string[] = [];
  const authorizations: string[] = [];
  let issuer: LocalIssuer;
  /** Ada's token: both audiences, chain:read and chain:write, as the demo prints it. */
  let ada: string;
  let chain: ChainServer;
  let chainPort = 0;
  let proxy: http.Server;
  let web: RunningPublisherWeb;
  let browser: Browser;

  beforeAll(async () => {
    // The page is built (when stale) by the global setup, support/build.ts.
    mkdirSync(artifacts, { recursive: true });
    ledger = await startTestLedger();
    issuer = await startLocalIssuer();
    ada = await userToken(issuer, DEMO_USERS.ada);
    proxy = recordingProxy(() => chainPort, traceparents, authorizations);
    const proxyPort = await listen(proxy);
    web = await servePublisherWeb({ chainUrl: `http://127.0.0.1:${proxyPort}` });
    // The page's origin is known only once it listens; the Chain server must allow it (CORS).
    chain = createChainServer({
      ledger: ledger.ledger,
      corsOrigins: [web.url],
      auth: chainAuth(issuer),
    });
    chainPort = (await chain.listen(0)).port;
    browser = await launchChromium();
  });

  /** A new page signed in as Ada, once it says it is connected, and the errors it logs. */
  async function openConnected(viewport: { width: number; height: number }) {
    const page = await browser.newPage({ viewport });
    const errors = collectErrors(page);
    await page.goto(signedIn(web, ada));
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor(WAIT);
    return { page, errors };
  }

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await chain?.close({ deadlineMs: 200 });
    proxy?.closeAllConnections();
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    await ledger?.stop();
    await issuer?.close();
  });

  it('registers a story, follows it live to final, shows the split, pays and claims', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(signedIn(web, ada));
    // Who is signed in shows in the header, and the token left the address bar.
    await page
      .getByTestId('account')
      .filter({ hasText: 'Signed in as Ada (author)' })
      .waitFor(WAIT);
    expect(new URL(page.url()).hash).toBe('');
    await page.getByRole('status').filter({ hasText: connected() }).waitFor(WAIT);

    await page.getByLabel('Content id').fill('story-lighthouse');
    await page.getByLabel('Title').fill('The Lighthouse Keeper');
    await fillContributor(page, 1, AUTHOR, 'author', '7000');
    await page.getByRole('button', { name: 'Add contributor' }).click();
    await fillContributor(page, 2, ARTIST, 'artist', '3000');
    await page.getByTestId('share-total').filter({ hasText: '10000 of 10000' }).waitFor(WAIT);
    // Every confirmation count the card shows, in order, as it streams in.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="tx-confirmations"]')?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Register story' }).click();

    const registration = await finalCard(page, /Registration of/);
    // Final at 3 confirmations; on the EVM node blocks keep coming, so it may read more by now.
    expect(
      Number(await registration.getByTestId('tx-confirmations').textContent()),
    ).toBeGreaterThanOrEqual(3);
    expect(await registration.getByTestId('tx-block').textContent()).toMatch(/^#\d+$/);
    // The devnet (or the embedded EVM node) has no block explorer: a note with the link format
    // on Story's networks.
    const explorerNote = await registration.getByTestId('tx-explorer').textContent();
    expect(explorerNote).toMatch(
      ledger.kind === 'devnet' ? /^none: the devnet is simulated/ : /^none: an embedded/,
    );
    expect(explorerNote).toContain('https://aeneid.storyscan.xyz/tx/<hash>');
    expect(await registration.getByRole('link').count()).toBe(0);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(Number(seen.at(-1))).toBeGreaterThanOrEqual(3);
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => a - b));

    const split = page.getByRole('table', { name: 'Royalty split' });
    await split.waitFor(WAIT);
    const author = split.locator(`tr[data-wallet="${AUTHOR}"]`);
    const artist = split.locator(`tr[data-wallet="${ARTIST}"]`);
    expect(await author.getByTestId('share').textContent()).toBe('70.00 %');
    expect(await artist.getByTestId('share').textContent()).toBe('30.00 %');
    await page.screenshot({ path: join(artifacts, 'registered.png'), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('Amount to pay').fill('2');
    await page.getByRole('button', { name: 'Pay royalties' }).click();
    await finalCard(page, /Payment of 2/);
    await author.getByTestId('claimable').filter({ hasText: '1.4' }).waitFor(WAIT);
    await artist.getByTestId('claimable').filter({ hasText: '0.6' }).waitFor(WAIT);

    await page.getByRole('button', { name: `Claim for ${AUTHOR}` }).click();
    await finalCard(page, /Claim of 1.4/);
    await author.getByTestId('claimable').filter({ hasText: /^0$/ }).waitFor(WAIT);
    expect(await artist.getByTestId('claimable').textContent()).toBe('0.6');
    expect(await page.getByRole('button', { name: `Claim for ${AUTHOR}` }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(artifacts, 'paid-and-claimed.png'), fullPage: true });

    // Trace context: every call the browser made reached the Chain server with a traceparent,
    // and the trace the page shows for its last call is one of them; and with Ada's token.
    expect(traceparents.length).toBeGreaterThan(5);
    for (const header of traceparents) expect(header).toMatch(TRACEPARENT);
    expect(new Set(authorizations)).toEqual(new Set([`Bearer ${ada}`]));
    const shown = (await page.getByTestId('last-trace').textContent())?.match(/[0-9a-f]{32}/)?.[0];
    expect(traceparents.map((t) => TRACEPARENT.exec(t)?.[1])).toContain(shown);

    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows field errors next to the fields: the page’s own and the Chain service’s (375 px wide)', async () => {
    const { page, errors } = await openConnected({ width: 375, height: 800 });
    const noHorizontalScroll = () =>
      page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await noHorizontalScroll()).toBe(true);

    // Checked by the page before anything is sent.
    await fillContributor(page, 1, 'not-a-wallet', 'author', '10000');
    await page.getByRole('button', { name: 'Register story' }).click();
    const contentId = page.getByLabel('Content id');
    // The errors render, then focus moves to the first of them (an effect after the render).
    await page.getByText('Enter the content id.').waitFor(WAIT);
    expect(await contentId.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByText('A wallet is 0x followed by 40 hex digits.').isVisible()).toBe(
      true,
    );
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('name') === 'contentId',
      undefined,
      WAIT,
    );

    // Checked by the Chain service (the page leaves length limits to it): its field violation
    // lands under the field it names.
    await contentId.fill('x'.repeat(200));
    await page.getByLabel('Title').fill('Too long an id');
    await fillContributor(page, 1, AUTHOR, 'author', '10000');
    await page.getByRole('button', { name: 'Register story' }).click();
    await page.getByText('Must be at most 128 characters.').waitFor(WAIT);
    const describedBy = (await contentId.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`[id="${describedBy.split(' ').at(-1)}"]`).textContent()).toBe(
      'Must be at most 128 characters.',
    );
    await page.getByRole('alert').filter({ hasText: 'INVALID_ARGUMENT' }).waitFor(WAIT);
    expect(await noHorizontalScroll()).toBe(true);
    await page.screenshot({ path: join(artifacts, 'field-errors-375px.png'), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);

    // The browser itself logs the 400 of the rejected call; nothing else may appear.
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    expect(errors.length).toBeLessThanOrEqual(1);
    await page.close();
  });

  it('asks to sign in, refuses a bad token itself, keeps the session in the tab, signs out', async () => {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    try {
      await page.goto(web.url);
      await page.getByTestId('account').filter({ hasText: 'Signed out' }).waitFor(WAIT);
      const token = page.getByLabel('Access token');
      await token.waitFor(WAIT);
      expect(await axeViolations(page)).toEqual([]);
      // The sign-in screen loads the entry and React only: the code that calls the Chain service
      // (Connect, protobuf, TanStack Query, OpenTelemetry, the signed-in page) comes on sign-in.
      const scripts = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .map((e) => new URL(e.name).pathname)
          .filter((path) => path.endsWith('.js')),
      );
      expect(scripts.some((path) => /\/react-[\w-]+\.js$/.test(path))).toBe(true);
      expect(
        scripts.filter((path) => /connect-protobuf|tanstack-query|opentelemetry|\/App-/.test(path)),
      ).toEqual([]);
      await token.fill('not-a-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'not an access token' }).waitFor(WAIT);
      expect(await token.getAttribute('aria-invalid')).toBe('true');
      await token.fill(await userToken(issuer, DEMO_USERS.grace, { expiresInSec: -60 }));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'has expired' }).waitFor(WAIT);

      // Pasted, a valid one signs in; it survives a reload of the tab, and "Sign out" ends it.
      await token.fill(await userToken(issuer, DEMO_USERS.grace));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('account').filter({ hasText: 'Signed in as Grace' }).waitFor(WAIT);
      await page.getByRole('status').filter({ hasText: connected() }).waitFor(WAIT);
      await page.reload();
      await page.getByTestId('account').filter({ hasText: 'Signed in as Grace' }).waitFor(WAIT);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByTestId('account').filter({ hasText: 'Signed out' }).waitFor(WAIT);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('says so when the Chain service refuses the token (401), or the token may not write (403)', async () => {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    try {
      // Signed by the issuer, but for another audience: the page cannot tell, the service can.
      const otherAudience = await issuer.sign({
        sub: DEMO_USERS.ada.subject,
        name: DEMO_USERS.ada.name,
        aud: 'https://api.mystira.example/app',
        scope: 'chain:read chain:write',
      });
      await page.goto(signedIn(web, otherAudience));
      await page
        .getByRole('status')
        .filter({ hasText: 'refused your sign-in' })
        .filter({ hasText: 'UNAUTHENTICATED' })
        .waitFor(WAIT);
      await page.getByTestId('account').filter({ hasText: 'refused your sign-in' }).waitFor(WAIT);

      // A reader's token (chain:read only): connected, but registering is refused in words.
      const reader = await userToken(issuer, DEMO_USERS.grace, { scope: 'chain:read' });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByTestId('account').filter({ hasText: 'Signed out' }).waitFor(WAIT);
      // The demo's link opened in the same tab: only the #fragment changes, and that signs in.
      await page.goto(signedIn(web, reader));
      await page.getByRole('status').filter({ hasText: connected() }).waitFor(WAIT);
      await registerUntilAlert(
        page,
        'story-read-only',
        'Read only',
        'chain:write',
        'PERMISSION_DENIED',
      );
      // The browser's own reports of the 401s and the 403; nothing else.
      expect(errors.filter((e) => !/status of 40[13]/.test(e))).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('links the transaction and the IP asset to Story’s explorers when the service reports Aeneid on a remote node', async () => {
    // The same ledger, reported as Aeneid behind a public node: what a Chain service on Story's
    // testnet tells the page (the page trusts GetServiceInfo; nothing else changes).
    const aeneid = new Proxy(ledger.ledger, {
      get(target, property) {
        if (property === 'info')
          return () => ({
            ...target.info(),
            network: 'aeneid',
            rpcEndpoint: 'https://aeneid.storyrpc.io',
          });
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const onAeneid = createChainServer({
      ledger: aeneid,
      corsOrigins: [web.url],
      auth: chainAuth(issuer),
    });
    const ownPort = chainPort;
    chainPort = (await onAeneid.listen(0)).port;
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    const errors = collectErrors(page);
    try {
      await page.goto(signedIn(web, ada));
      await page.getByRole('status').filter({ hasText: 'Connected · aeneid' }).waitFor(WAIT);
      await page.getByLabel('Content id').fill('story-on-aeneid');
      await page.getByLabel('Title').fill('On Aeneid');
      await fillContributor(page, 1, AUTHOR, 'author', '10000');
      await page.getByRole('button', { name: 'Register story' }).click();
      const registration = await finalCard(page, /Registration of/);
      const hash = await registration.getAttribute('data-tx');
      const txLink = registration.getByTestId('tx-explorer').getByRole('link');
      expect(await txLink.getAttribute('href')).toBe(`https://aeneid.storyscan.xyz/tx/${hash}`);
      expect(await txLink.getAttribute('rel')).toBe('noopener noreferrer');
      const ipLink = page.getByTestId('ip-explorer');
      await ipLink.waitFor(WAIT);
      const ipAssetId = (await page.getByTestId('asset-id').textContent())?.match(
        /0x[0-9a-f]{40}/,
      )?.[0];
      expect(ipAssetId).toBeDefined();
      expect(await ipLink.getAttribute('href')).toBe(
        `https://aeneid.explorer.story.foundation/ipa/${ipAssetId}`,
      );
      await page.screenshot({ path: join(artifacts, 'explorer-links.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      chainPort = ownPort;
      await onAeneid.close({ deadlineMs: 200 });
    }
  });

  it('licenses the story, registers a scenario as its derivative, and its royalties flow to the story (keyboard, axe)', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    const errors = collectErrors(page);
    try {
      await page.goto(signedIn(web, ada));
      await page.getByRole('status').filter({ hasText: connected() }).waitFor(WAIT);
      await page.getByLabel('Content id').fill('story-harbour');
      await page.getByLabel('Title').fill('The Harbour');
      await page.getByLabel('Metadata URI (optional)').fill('ipfs://bafy-harbour-metadata');
      await fillContributor(page, 1, AUTHOR, 'author', '7000');
      await page.getByRole('button', { name: 'Add contributor' }).click();
      await fillContributor(page, 2, ARTIST, 'artist', '3000');
      // Submitted from the keyboard: Enter in a field of the form.
      await page.getByLabel('Title').press('Enter');
      await finalCard(page, /Registration of “The Harbour”/);
      const story = page.getByRole('table', { name: 'Royalty split' });
      await story.waitFor(WAIT);

      // License terms: the preset chosen with the arrow keys, the share typed, Enter submits.
      const terms = page.getByRole('form', { name: 'Attach license terms' });
      const remix = terms.getByRole('radio', { name: /Commercial Remix/ });
      const social = terms.getByRole('radio', { name: /Non-Commercial Social Remixing/ });
      await remix.focus();
      await page.keyboard.press('ArrowDown');
      expect(await social.isChecked()).toBe(true);
      expect(await terms.getByLabel('Revenue share (%)').count()).toBe(0);
      await page.keyboard.press('ArrowUp');
      expect(await remix.isChecked()).toBe(true);
      await terms.getByLabel('Revenue share (%)').fill('10');
      await terms.getByLabel('Revenue share (%)').press('Enter');
      await finalCard(page, /Attachment of the license terms/);
      await page
        .getByTestId('attached-terms')
        .filter({
          hasText: 'commercial use, derivatives allowed, derivatives owe 10 % of their revenue',
        })
        .waitFor(WAIT);

      // The scenario, registered as the story's derivative; its confirmations stream in.
      const scenarioForm = page.getByRole('form', { name: 'Register a scenario' });
      expect(await scenarioForm.getByLabel('Scenario content id').inputValue()).toBe(
        'story-harbour/scenario-1',
      );
      await scenarioForm.getByLabel('Scenario title').fill('The Harbour at Night');
      await scenarioForm.getByLabel('Scenario author’s wallet').fill(SCENARIO_AUTHOR);
      await scenarioForm.getByRole('button', { name: 'Register scenario as derivative' }).click();
      const scenarioCard = await finalCard(page, /Registration of the scenario/);
      expect(
        Number(await scenarioCard.getByTestId('tx-confirmations').textContent()),
      ).toBeGreaterThanOrEqual(3);
      await page
        .getByTestId('royalty-flow')
        .filter({ hasText: '10 % of every payment' })
        .waitFor(WAIT);
      await page.getByTestId('derivative-count').filter({ hasText: '1 derivative.' }).waitFor(WAIT);
      // The live region told the person what happened, without moving their focus.
      await page.getByTestId('announcer').filter({ hasText: 'confirmed and final' }).waitFor(WAIT);

      // Paying the scenario: 10 % reaches the story, split 70/30; 90 % stays with the scenario.
      const scenario = page.getByRole('table', { name: 'Scenario recipients' });
      await page.getByLabel('Scenario payment amount').fill('1');
      await page.getByRole('button', { name: 'Pay the scenario' }).click();
      await finalCard(page, /Payment of 1 to the scenario/);
      const author = story.locator(`tr[data-wallet="${AUTHOR}"]`);
      const artist = story.locator(`tr[data-wallet="${ARTIST}"]`);
      const scenarioAuthor = scenario.locator(`tr[data-wallet="${SCENARIO_AUTHOR}"]`);
      await author
        .getByTestId('claimable')
        .filter({ hasText: /^0\.07$/ })
        .waitFor(WAIT);
      await artist
        .getByTestId('claimable')
        .filter({ hasText: /^0\.03$/ })
        .waitFor(WAIT);
      await scenarioAuthor
        .getByTestId('claimable')
        .filter({ hasText: /^0\.9$/ })
        .waitFor(WAIT);
      await page.screenshot({
        path: join(artifacts, 'derivative-royalty-flow.png'),
        fullPage: true,
      });
      expect(await axeViolations(page)).toEqual([]);

      // Claims, from the keyboard: the story's artist, then the scenario's author.
      await page.getByRole('button', { name: `Claim for ${ARTIST}` }).focus();
      await page.keyboard.press('Enter');
      await finalCard(page, /Claim of 0.03/);
      await artist.getByTestId('claimable').filter({ hasText: /^0$/ }).waitFor(WAIT);
      await page.getByRole('button', { name: `Claim for ${SCENARIO_AUTHOR}` }).focus();
      await page.keyboard.press('Space');
      await finalCard(page, /Claim of 0.9/);
      await scenarioAuthor.getByTestId('claimable').filter({ hasText: /^0$/ }).waitFor(WAIT);
      expect(await author.getByTestId('claimable').textContent()).toBe('0.07');
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(artifacts, 'derivative-claimed.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('shows the Chain service going away instead of a blank page', async () => {
    const { page, errors } = await openConnected({ width: 1024, height: 900 });

    await chain.close({ deadlineMs: 200 });
    await page.getByRole('status').filter({ hasText: 'Disconnected from' }).waitFor(WAIT);

    await registerUntilAlert(
      page,
      'story-offline',
      'Offline',
      /cannot be reached|calls are paused/,
    );
    await page.screenshot({ path: join(artifacts, 'chain-down.png'), fullPage: true });

    // Only the browser's own reports of the refused connections.
    expect(
      errors.filter(
        (e) => !/ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET/.test(e),
      ),
    ).toEqual([]);
    await page.close();
  });
});
