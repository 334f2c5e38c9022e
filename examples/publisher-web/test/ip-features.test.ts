/**
 * The Publisher page's IP features in Chromium, end to end and mostly from the keyboard, against
 * an in-process Chain server on the ledger support/test-ledger.ts chooses (the Story ledger on an embedded EVM node): create an
 * SPG NFT collection and read it back; custom license terms (commercial use, derivatives,
 * revenue share, minting fee, currency) attached to a story; license tokens minted under them,
 * their fee reaching the story's contributors; a scenario registered as a derivative in the
 * collection created. The page's own field errors and the Chain service's field violations
 * (google.rpc.BadRequest) show next to their fields; axe-core finds no violation on each view.
 */
import { mkdirSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChainServer, createChainServer } from '@mystira/chain-server';
import type { Browser, Locator, Page } from 'playwright-core';
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
  recordAnnouncements,
  SCENARIO_AUTHOR,
  signedIn,
  WAIT,
} from './support/page.ts';
import { startTestLedger, type TestLedger } from './support/test-ledger.ts';

const artifacts = join(fileURLToPath(new URL('..', import.meta.url)), 'test-results');
const WIP = '0x1514000000000000000000000000000000000000';
const ZERO_ADDRESS = `0x${'0'.repeat(40)}`;
const LICENSEE = '0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc';

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The error line a field's aria-describedby points at last (Field.tsx ties them so). */
async function errorOf(page: Page, field: Locator): Promise<string | null> {
  const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
  return page.locator(`[id="${describedBy.split(' ').at(-1)}"]`).textContent();
}

describe('the Publisher page’s collections, custom terms and license tokens in Chromium', () => {
  let ledger: TestLedger;
  let issuer: LocalIssuer;
  let ada: string;
  let chain: ChainServer;
  let web: RunningPublisherWeb;
  let browser: Browser;

  beforeAll(async () => {
    // The page is built (when stale) by the global setup, support/build.ts.
    mkdirSync(artifacts, { recursive: true });
    ledger = await startTestLedger();
    issuer = await startLocalIssuer();
    ada = await userToken(issuer, DEMO_USERS.ada);
    // The page calls the Chain server directly, which must allow the page's origin (CORS): the
    // page's port is chosen first.
    const webPort = await freePort();
    chain = createChainServer({
      ledger: ledger.ledger,
      corsOrigins: [`http://127.0.0.1:${webPort}`],
      auth: chainAuth(issuer),
    });
    const chainPort = (await chain.listen(0)).port;
    web = await servePublisherWeb({ chainUrl: `http://127.0.0.1:${chainPort}`, port: webPort });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await chain?.close({ deadlineMs: 200 });
    await ledger?.stop();
    await issuer?.close();
  });

  it('creates a collection and reads it back, attaches custom terms, mints license tokens and registers a scenario in the collection (keyboard, axe)', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    const errors = collectErrors(page);
    try {
      await page.goto(signedIn(web, ada));
      await page
        .getByRole('status')
        .filter({ hasText: `Connected · ${ledger.network}` })
        .waitFor(WAIT);

      // --- A collection: the page's own check, the service's, then created and read back. ---
      const create = page.getByRole('form', { name: 'Create a collection' });
      const name = create.getByLabel('Collection name');
      const symbol = create.getByLabel('Symbol');
      await name.focus();
      await page.keyboard.press('Enter');
      expect(await name.getAttribute('aria-invalid')).toBe('true');
      expect(await errorOf(page, name)).toBe('Enter the collection’s name.');
      expect(await errorOf(page, symbol)).toBe('Enter the collection’s symbol.');
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('name')))
        .toBe('collectionName');
      // Length limits are the Chain service's: its violation lands under the field it names.
      await page.keyboard.type('Harbour Scenarios');
      await symbol.fill('S'.repeat(40));
      await symbol.press('Enter');
      await create.getByRole('alert').filter({ hasText: 'INVALID_ARGUMENT' }).waitFor(WAIT);
      expect(await errorOf(page, symbol)).toBe('Must be at most 32 characters.');
      expect(await symbol.getAttribute('aria-invalid')).toBe('true');
      expect(await name.getAttribute('aria-invalid')).toBeNull();
      expect(await axeViolations(page)).toEqual([]);

      await symbol.fill('HARB');
      await create.getByLabel('Max supply (optional)').fill('100');
      await create.getByLabel('Max supply (optional)').press('Enter');
      const collection = page.getByRole('article', { name: /Collection “Harbour Scenarios”/ });
      await finalCard(page, /Creation of the collection “Harbour Scenarios”/);
      await collection
        .getByTestId('collection-status')
        .filter({ hasText: /^confirmed$/ })
        .waitFor(WAIT);
      const collectionAddress = await collection.getByTestId('collection-address').textContent();
      expect(collectionAddress).toMatch(/^0x[0-9a-f]{40}$/);
      expect(await collection.getByTestId('collection-name').textContent()).toBe(
        'Harbour Scenarios',
      );
      expect(await collection.getByTestId('collection-symbol').textContent()).toBe('HARB');
      expect(await collection.getByTestId('collection-supply').textContent()).toBe('0 of 100');
      expect(await collection.getByTestId('collection-fee').textContent()).toBe('free');
      await page.getByTestId('announcer').filter({ hasText: 'Harbour Scenarios' }).waitFor(WAIT);
      // The form is empty again, ready for another.
      expect(await name.inputValue()).toBe('');

      // --- A story to license. ---
      await page.getByLabel('Content id').fill('story-tides');
      await page.getByLabel('Title', { exact: true }).fill('The Tides');
      await fillContributor(page, 1, AUTHOR, 'author', '7000');
      await page.getByRole('button', { name: 'Add contributor' }).click();
      await fillContributor(page, 2, ARTIST, 'artist', '3000');
      await page.getByLabel('Title', { exact: true }).press('Enter');
      await finalCard(page, /Registration of “The Tides”/);
      const story = page.getByRole('table', { name: 'Royalty split' });
      await story.waitFor(WAIT);

      // --- Custom terms, chosen and toggled from the keyboard. ---
      const terms = page.getByRole('form', { name: 'Attach license terms' });
      await terms.getByRole('radio', { name: /Commercial Remix/ }).focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      expect(await terms.getByRole('radio', { name: /Custom terms/ }).isChecked()).toBe(true);
      const commercialUse = terms.getByRole('checkbox', { name: 'Commercial use' });
      const derivatives = terms.getByRole('checkbox', { name: 'Derivatives allowed' });
      expect(await commercialUse.isChecked()).toBe(true);
      expect(await derivatives.isChecked()).toBe(true);
      // Without commercial use there is no fee, share or currency to give.
      await commercialUse.focus();
      await page.keyboard.press('Space');
      expect(await commercialUse.isChecked()).toBe(false);
      expect(await terms.getByLabel('Minting fee per license').count()).toBe(0);
      expect(await terms.getByLabel('Revenue share (%)').count()).toBe(0);
      await page.keyboard.press('Space');
      expect(await commercialUse.isChecked()).toBe(true);

      // The zero address has the form of an address; the Chain service refuses it for
      // commercial terms, under the currency field.
      const share = terms.getByLabel('Revenue share (%)');
      const fee = terms.getByLabel('Minting fee per license');
      const currency = terms.getByLabel('Currency token');
      await share.fill('20');
      await fee.fill('0.5');
      await currency.fill(ZERO_ADDRESS);
      await currency.press('Enter');
      await terms.getByRole('alert').filter({ hasText: 'INVALID_ARGUMENT' }).waitFor(WAIT);
      expect(await errorOf(page, currency)).toBe(
        'Commercial terms need a currency, not the zero address.',
      );
      expect(await currency.getAttribute('aria-invalid')).toBe('true');
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('name')))
        .toBe('currencyToken');
      expect(await axeViolations(page)).toEqual([]);

      await currency.fill(WIP);
      await currency.press('Enter');
      await finalCard(page, /Attachment of the license terms/);
      await page
        .getByTestId('attached-terms')
        .filter({
          hasText:
            'commercial use, derivatives allowed, derivatives owe 20 % of their revenue, minting fee 0.5 per license',
        })
        .waitFor(WAIT);

      // --- License tokens: the service's bound on the amount, then two for a licensee. ---
      const mint = page.getByRole('form', { name: 'Mint license tokens' });
      const amount = mint.getByLabel('Number of tokens');
      expect(await mint.getByLabel('Under license terms').inputValue()).toMatch(/^\d+$/);
      await amount.fill('1001');
      await amount.press('Enter');
      await mint.getByRole('alert').filter({ hasText: 'INVALID_ARGUMENT' }).waitFor(WAIT);
      expect(await errorOf(page, amount)).toBe('Must be between 1 and 1000.');
      await amount.fill('2');
      await mint.getByLabel('Receiver’s wallet (optional)').fill(LICENSEE);
      const announced = await recordAnnouncements(page);
      await mint.getByLabel('Receiver’s wallet (optional)').press('Enter');
      const tokens = page.getByTestId('license-tokens');
      await tokens.waitFor(WAIT);
      expect(await tokens.getByTestId('license-token-ids').textContent()).toMatch(/^#\d+, #\d+$/);
      expect(await tokens.getByTestId('license-token-receiver').getAttribute('title')).toBe(
        LICENSEE,
      );
      expect(await tokens.getByTestId('license-token-fee').textContent()).toBe('1');
      await announced('2 license tokens minted');
      await finalCard(page, /Minting of 2 license tokens/);
      // The fee (2 × 0.5) is the story's revenue: its contributors can claim it, 70 / 30.
      await story
        .locator(`tr[data-wallet="${AUTHOR}"]`)
        .getByTestId('claimable')
        .filter({ hasText: /^0\.7$/ })
        .waitFor(WAIT);
      await story
        .locator(`tr[data-wallet="${ARTIST}"]`)
        .getByTestId('claimable')
        .filter({ hasText: /^0\.3$/ })
        .waitFor(WAIT);
      expect(await axeViolations(page)).toEqual([]);

      // --- The scenario, a derivative under the custom terms, minted in the new collection. ---
      const scenarioForm = page.getByRole('form', { name: 'Register a scenario' });
      await scenarioForm.getByLabel('Scenario title').fill('Low Tide');
      await scenarioForm.getByLabel('Scenario author’s wallet').fill(SCENARIO_AUTHOR);
      const chooseCollection = scenarioForm.getByLabel('Collection', { exact: true });
      expect(await chooseCollection.inputValue()).toBe('');
      await chooseCollection.selectOption({
        label: `Harbour Scenarios (HARB) · ${collectionAddress}`,
      });
      // Enter on a select does not submit a form: the button, pressed from the keyboard.
      await scenarioForm
        .getByRole('button', { name: 'Register scenario as derivative' })
        .press('Enter');
      await finalCard(page, /Registration of the scenario “Low Tide”/);
      expect(await page.getByTestId('scenario-nft').textContent()).toContain(
        `in collection ${collectionAddress}`,
      );
      await page
        .getByTestId('royalty-flow')
        .filter({ hasText: '20 % of every payment' })
        .waitFor(WAIT);
      // Read back, the collection holds the scenario's NFT.
      await collection
        .getByTestId('collection-supply')
        .filter({ hasText: '1 of 100' })
        .waitFor(WAIT);
      await page.screenshot({ path: join(artifacts, 'ip-features.png'), fullPage: true });
      await page.locator('#licensing').screenshot({ path: join(artifacts, 'ip-licensing.png') });
      await page
        .locator('#collections')
        .screenshot({ path: join(artifacts, 'ip-collections.png') });
      expect(await axeViolations(page)).toEqual([]);

      // The browser's own reports of the three expected 400s; nothing else.
      expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
