/**
 * What the browser tests share: Debian's Chromium through playwright-core, axe-core run inside
 * the page, the page's console errors, the contributor rows of the registration form, the
 * signed-in link the demo prints, and waiting for a transaction card to turn final.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import type { RunningPublisherWeb } from '../../serve.ts';

/** How long a test waits for the page to show something. */
export const WAIT = { timeout: 20_000 };

/** Wallets of the tests' contributors. */
export const AUTHOR = '0x52908400098527886e0f7030069857d2e4169ee7';
export const ARTIST = '0x8617e340b3d01fa5f11f306f4090fd50e238070d';
export const SCENARIO_AUTHOR = '0x2b5ad5c4795c026514f8317c7a215e218dccd6cf';

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** Debian's Chromium (or CHROMIUM_PATH), headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * axe-core (WCAG 2.x A and AA rules and best practices) run inside the page as it is now: the
 * violations, each as "rule: the nodes' selectors", for an `toEqual([])` that says what failed.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays as it is.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run(),
  );
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** Console errors and uncaught exceptions of a page; the tests fail on any not expected. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}

export async function fillContributor(
  page: Page,
  n: number,
  wallet: string,
  role: string,
  share: string,
) {
  const row = page.getByRole('group', { name: `Contributor ${n}` });
  await row.getByLabel('Wallet').fill(wallet);
  await row.getByLabel('Role').selectOption(role);
  await row.getByLabel('Share (basis points)').fill(share);
}

/** The page, signed in with `token` the way the demo's printed link does it. */
export const signedIn = (web: RunningPublisherWeb, token: string) => `${web.url}/#token=${token}`;

/** The transaction card named `name`, once it reads "Confirmed · final". */
export async function finalCard(page: Page, name: RegExp): Promise<Locator> {
  const card = page.getByRole('article', { name });
  await card.getByTestId('tx-status').filter({ hasText: 'Confirmed · final' }).waitFor(WAIT);
  return card;
}

/**
 * Records every text the page's aria-live announcer shows from now on. The announcer holds only
 * the latest text, and the next announcement (a transaction turning final) can replace one before
 * a test polls for it; `announced(text)` waits until a recorded text contains `text`.
 */
export async function recordAnnouncements(page: Page): Promise<(text: string) => Promise<void>> {
  await page.evaluate(() => {
    const target = document.querySelector('[data-testid="announcer"]');
    const seen: string[] = [];
    (window as unknown as { announced: string[] }).announced = seen;
    if (!target) throw new Error('no announcer on the page');
    new MutationObserver(() => seen.push(target.textContent ?? '')).observe(target, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  return async (text) => {
    await page.waitForFunction(
      (t) => (window as unknown as { announced: string[] }).announced.some((a) => a.includes(t)),
      text,
      WAIT,
    );
  };
}
