/**
 * The licensing part of the scenario (issue 20), after the story's own royalties: the story's
 * license terms as publishing attached them, its first scenario registered as a derivative of the
 * story's IP asset, Pat paying that scenario, and the story's contributors seeing their share of
 * it (the royalty flow from the child to its parent, by the terms). Over the App API's public
 * routes only, like the rest of scenario.ts, which gives these steps its `call` and `step`.
 */

/** How scenario.ts runs a numbered step and calls the API (see there). */
export interface StepRunner {
  step<T>(
    title: string,
    run: () => Promise<{ value: T; note?: string; details?: string[] }>,
  ): Promise<T>;
  call<T>(
    as: 'ada' | 'grace' | 'pat' | 'anonymous',
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  /** Waits between polls; rejects when the run is aborted. */
  sleep(ms: number): Promise<void>;
  /** Longest wait for something on chain to be final. */
  timeoutMs: number;
  formatWei(wei: string): string;
  short(hex: string): string;
  /** A wallet's person ("Ada"), for the printed balances. */
  who(wallet: string): string;
  /** Prints a line that is not a step (a note). */
  write(line: string): void;
}

export interface LicensingInput {
  storyId: string;
  scenario: { id: string; title: string };
  /** Ada's wallet: her claimable balance of the story tells when the scenario's share arrived. */
  authorWallet: string;
  /** Makes the payment's idempotency key unique per run. */
  run: string;
}

/** The titles of the steps, for the demo's tests. */
export const LICENSING_STEPS = [
  'the story’s license terms, attached at publishing',
  'register a scenario as a derivative of the story',
  'Pat pays 1 token of royalties to the scenario',
  'the story’s contributors see their share of the scenario’s payment',
] as const;

interface License {
  preset: string;
  revSharePercent?: number;
  state: string;
  licenseTermsId?: string;
}
interface AssetLicensing {
  ipAssetId: string;
  licenseTerms: {
    licenseTermsId: string;
    commercialRevSharePercent: number;
    royaltyPolicy: string;
  }[];
  parents: { ipAssetId: string; licenseTermsId: string }[];
  children: { ipAssetId: string; licenseTermsId: string }[];
}
interface ScenarioRegistration {
  state: string;
  ipAssetId?: string;
  txHash?: string;
  error?: string;
}
interface Royalties {
  claimable: { walletAddress: string; amountWei: string }[];
}

const ONE_TOKEN_WEI = 10n ** 18n;

export async function runLicensingSteps(r: StepRunner, input: LicensingInput): Promise<void> {
  const story = `/v1/stories/${input.storyId}`;
  const scenario = `${story}/scenarios/${input.scenario.id}`;

  /** Polls `probe` until it returns a value, at most r.timeoutMs. */
  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + r.timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${what} not seen after ${r.timeoutMs} ms`);
      await r.sleep(250);
    }
  }

  const license = await r.step(LICENSING_STEPS[0], async () => {
    // Attached once the registration is confirmed (in the background; this read completes it).
    const attached = await until('the license attached', async () => {
      const { body } = await r.call<License>('anonymous', 'GET', `${story}/license`);
      return body.state === 'attached' ? body : undefined;
    });
    const { body: asset } = await r.call<AssetLicensing>('anonymous', 'GET', `${story}/ip-asset`);
    const terms = asset.licenseTerms.find((t) => t.licenseTermsId === attached.licenseTermsId);
    return {
      value: attached,
      note: `${attached.preset}, terms #${attached.licenseTermsId} on ip asset ${r.short(asset.ipAssetId)}`,
      details: terms
        ? [
            `a derivative owes the story ${terms.commercialRevSharePercent} % of its revenue (${terms.royaltyPolicy.toUpperCase()})`,
          ]
        : [],
    };
  });

  const derivative = await r.step(LICENSING_STEPS[1], async () => {
    const { status } = await r.call<ScenarioRegistration>(
      'ada',
      'POST',
      `${scenario}/registration`,
    );
    const confirmed = await until('the scenario confirmed', async () => {
      const { body } = await r.call<ScenarioRegistration>(
        'anonymous',
        'GET',
        `${scenario}/registration`,
      );
      if (body.state === 'failed') throw new Error(`registration failed: ${body.error ?? ''}`);
      return body.state === 'confirmed' ? body : undefined;
    });
    const { body: parent } = await r.call<AssetLicensing>('anonymous', 'GET', `${story}/ip-asset`);
    if (!parent.children.some((c) => c.ipAssetId === confirmed.ipAssetId))
      throw new Error('the story’s asset does not list the scenario among its children');
    return {
      value: confirmed,
      note: `"${input.scenario.title}" ${status}, confirmed as ip asset ${r.short(confirmed.ipAssetId ?? '')}, child of the story under terms #${license.licenseTermsId}`,
    };
  });

  /** Ada's claimable balance of the story (she claimed it all before these steps). */
  const adaOwed = async () => {
    const { body } = await r.call<Royalties>('ada', 'GET', `${story}/royalties`);
    const mine = body.claimable.find(
      (c) => c.walletAddress.toLowerCase() === input.authorWallet.toLowerCase(),
    );
    return { body, owed: BigInt(mine?.amountWei ?? '0') };
  };
  const before = (await adaOwed()).owed;

  await r.step(LICENSING_STEPS[2], async () => {
    const { body } = await r.call<{ ipAssetId: string; txHash: string }>(
      'pat',
      'POST',
      `${scenario}/royalties/payments`,
      { amountWei: ONE_TOKEN_WEI.toString(), payerReference: `demo-scenario-${input.run}` },
      { 'idempotency-key': `demo-scenario-payment-${input.run}` },
    );
    if (body.ipAssetId !== derivative.ipAssetId)
      throw new Error(`paid ${body.ipAssetId}, not the scenario's asset`);
    return { value: body, note: `ip asset ${r.short(body.ipAssetId)}, tx ${r.short(body.txHash)}` };
  });

  await r.step(LICENSING_STEPS[3], async () => {
    const royalties = await until('the story’s share claimable', async () => {
      const { body, owed } = await adaOwed();
      return owed > before ? body : undefined;
    });
    return {
      value: undefined,
      note: `${license.revSharePercent ?? 0} % of the payment reached the story, split by its shares`,
      details: royalties.claimable.map(
        (c) => `claimable ${r.who(c.walletAddress).padEnd(6)} ${r.formatWei(c.amountWei)}`,
      ),
    };
  });
}
