/**
 * The scripted publish-a-story scenario, spoken over the App API's public HTTP routes only (as any
 * client would), each call with the bearer token of the person making it: Ada (author) and Grace
 * (artist) each create their account, Ada creates a story with scenarios naming Grace as a
 * contributor, reads it twice (cache), publishes it, follows the registration to "confirmed"; Pat
 * (the payer role) pays royalties; Ada sees the split and the claimable balances and claims her
 * share. Then licensing (licensing-steps.ts): the story's license terms, a scenario registered
 * as its derivative, a payment to the scenario reaching the story's contributors. Each step prints
 * a numbered line with ✓/✗ and its time.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { runLicensingSteps } from './licensing-steps.ts';

/** The first step when an earlier run's ids are given (main.ts forgets them when it fails). */
export const PREVIOUS_RUN_STEP = 'the previous run’s data is still there';

export interface ScenarioIds {
  authorId: string;
  artistId: string;
  storyId: string;
}

/** The signed-in people of the scenario: their access tokens (see identities.ts). */
export interface ScenarioTokens {
  ada: string;
  grace: string;
  pat: string;
}

export interface ScenarioOptions {
  apiUrl: string;
  tokens: ScenarioTokens;
  /** Where the step lines go. Default: stdout. */
  write?: (line: string) => void;
  /** Ids from an earlier run on the same data: checked first, to show nothing was lost. */
  previous?: ScenarioIds;
  /** Longest wait for the registration to be confirmed. Default 60 s. */
  confirmTimeoutMs?: number;
  /**
   * Whether the Chain host serves the licensing services (mystira.chain.ip.v1: its ledger has
   * `ip`). false: the licensing steps are skipped with a printed note. Default: run them.
   */
  licensing?: boolean;
  signal?: AbortSignal;
}

export interface ScenarioResult {
  ok: boolean;
  ids?: ScenarioIds;
  /** The step that failed, and why. */
  failure?: { step: string; error: string };
}

/** An HTTP answer the scenario did not expect; carries the problem+json the API sent. */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  readonly status: number;
  /** The parsed answer (problem+json for API errors). */
  readonly body: unknown;
  constructor(method: string, path: string, status: number, body: unknown) {
    super(`${method} ${path} → ${status}${describeProblem(body)}`);
    this.status = status;
    this.body = body;
  }
}

function describeProblem(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const problem = body as {
    title?: string;
    detail?: string;
    errors?: { field: string; message: string }[];
  };
  const fields = problem.errors?.map((e) => `${e.field} ${e.message}`).join('; ');
  return `: ${[problem.title, problem.detail, fields].filter(Boolean).join(' — ')}`;
}

interface Account {
  id: string;
  walletAddress: string;
  displayName: string;
}
interface Story {
  id: string;
  title: string;
  status: string;
  scenarios: { id: string; title: string }[];
  registration?: {
    state: string;
    ipAssetId?: string;
    txHash?: string;
    confirmations?: number;
    error?: string;
  };
}
interface Royalties {
  ipAssetId: string;
  recipients: { walletAddress: string; shareBasisPoints: number; role: string }[];
  claimable: { walletAddress: string; amountWei: string }[];
}

const ONE_TOKEN_WEI = 10n ** 18n;

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = options.apiUrl.replace(/\/$/, '');
  let stepNumber = 0;

  async function call<T>(
    as: keyof ScenarioTokens | 'anonymous',
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(as === 'anonymous' ? {} : { authorization: `Bearer ${options.tokens[as]}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!response.ok) throw new ApiCallError(method, path, response.status, parsed);
    return { status: response.status, body: parsed as T };
  }

  /** Runs one numbered step; the returned note is printed after the ✓. */
  async function step<T>(
    title: string,
    run: () => Promise<{ value: T; note?: string; details?: string[] }>,
  ) {
    stepNumber += 1;
    const label = `${String(stepNumber).padStart(2)}. ${title}`;
    const started = performance.now();
    try {
      const { value, note, details } = await run();
      write(`  ✓ ${label}${note ? ` — ${note}` : ''} ${ms(started)}`);
      for (const line of details ?? []) write(`        ${line}`);
      return value;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      write(`  ✗ ${label} ${ms(started)}`);
      write(`        ${message}`);
      throw new ScenarioStepError(title, message);
    }
  }

  try {
    if (options.previous) {
      const previous = options.previous;
      await step(PREVIOUS_RUN_STEP, async () => {
        const account = await call<Account>('ada', 'GET', `/v1/accounts/${previous.authorId}`);
        const story = await call<Story>('ada', 'GET', `/v1/stories/${previous.storyId}`);
        return {
          value: undefined,
          note: `account ${account.body.displayName} (PostgreSQL), story "${story.body.title}" ${story.body.status} (Cosmos DB)`,
        };
      });
    }

    const run = randomBytes(3).toString('hex');
    const [author, artist] = await step('create two accounts (an author, an artist)', async () => {
      const created = [];
      // Each signs up herself: an account belongs to the token's subject.
      for (const [name, role, as] of [
        ['Ada', 'author', 'ada'],
        ['Grace', 'artist', 'grace'],
      ] as const) {
        const { body } = await call<Account>(as, 'POST', '/v1/accounts', {
          email: `${name.toLowerCase()}-${run}@demo.mystira.example`,
          displayName: `${name} (${role}, demo ${run})`,
          walletAddress: `0x${randomBytes(20).toString('hex')}`,
        });
        created.push(body);
      }
      return {
        value: created as [Account, Account],
        note: created
          .map((a) => `${a.id.slice(0, 8)}… wallet ${short(a.walletAddress)}`)
          .join(', '),
      };
    });

    const story = await step('create a story with three scenarios (draft)', async () => {
      const { body } = await call<Story>('ada', 'POST', '/v1/stories', {
        authorId: author.id,
        title: `The Lighthouse Keeper's Map (${run})`,
        summary:
          'A branching tale told in three scenarios, split 70/30 between its author and its artist.',
        scenarios: [
          { title: 'The storm', body: 'The lamp goes out on the longest night of the year.' },
          {
            title: 'The map',
            body: 'Under the floorboards, a chart of islands that are not there.',
          },
          { title: 'The crossing', body: 'Choose: wait for dawn, or row out now.' },
        ],
        contributors: [
          { accountId: author.id, shareBasisPoints: 7000, role: 'author' },
          { accountId: artist.id, shareBasisPoints: 3000, role: 'artist' },
        ],
      });
      return {
        value: body,
        note: `${body.id}, status ${body.status}, ${body.scenarios.length} scenarios`,
      };
    });

    await step('read it twice (through the cache: the first read fills it)', async () => {
      const first = performance.now();
      await call<Story>('ada', 'GET', `/v1/stories/${story.id}`);
      const firstMs = performance.now() - first;
      const second = performance.now();
      const { body } = await call<Story>('ada', 'GET', `/v1/stories/${story.id}`);
      const secondMs = performance.now() - second;
      if (body.id !== story.id) throw new Error(`read back story ${body.id}, expected ${story.id}`);
      return { value: undefined, note: `${firstMs.toFixed(1)} ms, then ${secondMs.toFixed(1)} ms` };
    });

    const published = await step('publish: register it as an IP asset on the chain', async () => {
      const { status, body } = await call<Story>(
        'ada',
        'POST',
        `/v1/stories/${story.id}/publish`,
        {},
      );
      return {
        value: body,
        note: `${status}, registration ${body.registration?.state ?? 'missing'}${body.registration?.txHash ? `, tx ${short(body.registration.txHash)}` : ''}`,
      };
    });
    if (!published.registration)
      throw new ScenarioStepError('publish', 'the answer has no registration');

    await step('watch the registration until it is confirmed', async () => {
      const seen: string[] = [];
      const deadline = Date.now() + (options.confirmTimeoutMs ?? 60_000);
      for (;;) {
        const { body } = await call<NonNullable<Story['registration']>>(
          'ada',
          'GET',
          `/v1/stories/${story.id}/registration`,
        );
        const label =
          body.confirmations === undefined
            ? body.state
            : `${body.state} (${body.confirmations} conf.)`;
        if (seen.at(-1) !== label) seen.push(label);
        if (body.state === 'confirmed') return { value: body, note: seen.join(' → ') };
        if (body.state === 'failed')
          throw new Error(`registration failed: ${body.error ?? 'no reason given'}`);
        if (Date.now() > deadline)
          throw new Error(
            `still ${body.state} after ${options.confirmTimeoutMs ?? 60_000} ms (${seen.join(' → ')})`,
          );
        await sleep(250, options.signal);
      }
    });

    await step('anyone reads the published story (no account ids, emails or wallets)', async () => {
      const response = await call<Story>('anonymous', 'GET', `/v1/stories/${story.id}`);
      const text = JSON.stringify(response.body);
      const leaked = [author, artist].flatMap((a) =>
        [a.id, a.walletAddress.toLowerCase()].filter((v) => text.toLowerCase().includes(v)),
      );
      if (leaked.length > 0) throw new Error(`the public view shows ${leaked.join(', ')}`);
      return { value: undefined, note: `"${response.body.title}", ${response.body.status}` };
    });

    const paid = await step('Pat (payer role) pays 1 token (10^18 wei) of royalties', async () => {
      // On the Story ledger the asset becomes REGISTERED a block or two after its registration
      // is final (its royalty split is given out in transactions of its own); the ledger makes
      // a payment that arrives in between wait for that.
      const { body } = await call<{ ipAssetId: string; txHash: string; amountWei: string }>(
        'pat',
        'POST',
        `/v1/stories/${story.id}/royalties/payments`,
        { amountWei: ONE_TOKEN_WEI.toString(), payerReference: `demo-${run}` },
        { 'idempotency-key': `demo-payment-${run}` },
      );
      return { value: body, note: `ip asset ${short(body.ipAssetId)}, tx ${short(body.txHash)}` };
    });

    const names = new Map([
      [author.walletAddress.toLowerCase(), 'Ada'],
      [artist.walletAddress.toLowerCase(), 'Grace'],
    ]);
    const who = (wallet: string) => names.get(wallet.toLowerCase()) ?? short(wallet);
    await step('show the split and the claimable balances', async () => {
      // A payment becomes claimable once its transaction is final (a few devnet blocks).
      const deadline = Date.now() + (options.confirmTimeoutMs ?? 60_000);
      const ownedBy = (wallet: string) => (c: { walletAddress: string }) =>
        c.walletAddress.toLowerCase() === wallet.toLowerCase();
      let polls = 0;
      for (;;) {
        polls += 1;
        const { body } = await call<Royalties>('ada', 'GET', `/v1/stories/${story.id}/royalties`);
        const owed = body.claimable.find(ownedBy(author.walletAddress));
        if (owed && BigInt(owed.amountWei) > 0n) {
          const details = [
            ...body.recipients.map(
              (r) =>
                `split     ${who(r.walletAddress).padEnd(6)} ${(r.shareBasisPoints / 100).toFixed(2).padStart(6)} %  ${r.role}`,
            ),
            ...body.claimable.map(
              (c) => `claimable ${who(c.walletAddress).padEnd(6)} ${formatWei(c.amountWei)}`,
            ),
          ];
          const waited = polls > 1 ? ', claimable once the payment was final' : '';
          return { value: body, note: `${body.recipients.length} recipients${waited}`, details };
        }
        if (Date.now() > deadline)
          throw new Error(
            `nothing claimable for the author ${options.confirmTimeoutMs ?? 60_000} ms after paying ${paid.amountWei} wei`,
          );
        await sleep(250, options.signal);
      }
    });

    await step('the author claims her share', async () => {
      const { body } = await call<{ txHash: string; amountWei: string }>(
        'ada',
        'POST',
        `/v1/stories/${story.id}/royalties/claims`,
        { walletAddress: author.walletAddress },
      );
      const after = await call<Royalties>('ada', 'GET', `/v1/stories/${story.id}/royalties`);
      const left = after.body.claimable.find(
        (c) => c.walletAddress.toLowerCase() === author.walletAddress.toLowerCase(),
      );
      return {
        value: body,
        note: `${formatWei(body.amountWei)} claimed, tx ${short(body.txHash)}; left to claim: ${formatWei(left?.amountWei ?? '0')}`,
      };
    });

    const [derived] = story.scenarios;
    if (options.licensing === false) {
      write(
        '  – licensing steps skipped: the Chain host does not serve mystira.chain.ip.v1 (its ledger has no licensing)',
      );
    } else if (derived) {
      await runLicensingSteps(
        {
          step,
          call,
          sleep: (msToWait) => sleep(msToWait, options.signal),
          timeoutMs: options.confirmTimeoutMs ?? 60_000,
          formatWei,
          short,
          who,
          write,
        },
        { storyId: story.id, scenario: derived, authorWallet: author.walletAddress, run },
      );
    }

    return { ok: true, ids: { authorId: author.id, artistId: artist.id, storyId: story.id } };
  } catch (error) {
    if (error instanceof ScenarioStepError)
      return { ok: false, failure: { step: error.step, error: error.detail } };
    throw error;
  }
}

class ScenarioStepError extends Error {
  readonly step: string;
  readonly detail: string;
  constructor(step: string, detail: string) {
    super(`${step}: ${detail}`);
    this.step = step;
    this.detail = detail;
  }
}

function ms(started: number): string {
  return `(${Math.round(performance.now() - started)} ms)`;
}

function short(hex: string): string {
  return hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex;
}

/** 18-decimal wei as tokens, exactly (no floating point). */
export function formatWei(wei: string): string {
  const value = BigInt(wei);
  const whole = value / ONE_TOKEN_WEI;
  const fraction = (value % ONE_TOKEN_WEI).toString().padStart(18, '0').replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''} token (${wei} wei)`;
}

function sleep(msToWait: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, msToWait);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
