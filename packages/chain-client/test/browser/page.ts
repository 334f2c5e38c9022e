/// <reference lib="dom" />
// The browser test page: bundled by esbuild from the built @mystira/chain-client/web and run in
// Chromium. It calls the Connect server named in the query string and publishes what it saw.
import {
  type ChainError,
  type ChainProtocol,
  createChainClient,
  isUuidV7,
} from '@mystira/chain-client/web';

declare global {
  interface Window {
    __result?: unknown;
  }
}

async function main() {
  const params = new URLSearchParams(location.search);
  const baseUrl = params.get('server') as string;
  const protocol = params.get('protocol') as ChainProtocol;
  const client = createChainClient({ baseUrl, protocol });
  const info = await client.getServiceInfo();
  const pay = await client.payRoyalties({ ipAssetId: 'ip-web', amountWei: 12345678901234567890n });
  const updates: string[] = [];
  for await (const u of client.watchTransactions(params.getAll('hash'))) {
    updates.push(`${u.transactionHash}:${u.status}:${u.confirmations}`);
  }
  let batchError = '';
  try {
    await client.batchRegister([]);
  } catch (e) {
    batchError = (e as ChainError).name;
  }
  let invalid: unknown;
  try {
    await client.payRoyalties({ ipAssetId: 'ip-web', amountWei: 0n });
  } catch (e) {
    const ce = e as ChainError;
    invalid = { name: ce.name, fieldViolations: ce.fieldViolations };
  }
  return {
    serviceName: info.serviceName,
    amountIsBigint: typeof pay.amountWei === 'bigint',
    amount: pay.amountWei.toString(),
    paidAt: pay.paidAt?.toISOString(),
    updates,
    batchError,
    invalid,
    userAgent: navigator.userAgent,
  };
}

/** Against @mystira/chain-server: the names and values come from the query string. */
async function againstChainServer() {
  const params = new URLSearchParams(location.search);
  const client = createChainClient({
    baseUrl: params.get('server') as string,
    protocol: params.get('protocol') as ChainProtocol,
  });
  await client.ready({ timeoutMs: 10_000 });
  const info = await client.getServiceInfo();
  const registered = await client.isRegistered(params.get('content') as string);
  const updates: string[] = [];
  for await (const u of client.watchTransactions([params.get('hash') as string]))
    updates.push(`${u.status}:${u.confirmations}`);
  let invalid: unknown;
  try {
    await client.isRegistered('');
  } catch (e) {
    const ce = e as ChainError;
    invalid = { name: ce.name, fields: ce.fieldViolations.map((v) => v.field) };
  }
  return { network: info.network, registered, updates, invalid };
}

/** `client.ip` in the browser: a preset, a registration with JSON metadata, reads, a violation. */
async function ipServices() {
  const params = new URLSearchParams(location.search);
  const client = createChainClient({
    baseUrl: params.get('server') as string,
    protocol: params.get('protocol') as ChainProtocol,
  });
  const wallet = `0x${'a'.repeat(40)}`;
  const terms = await client.ip.registerLicenseTerms({
    preset: 'commercialRemix',
    currencyToken: '0x1514000000000000000000000000000000000000',
    commercialRevShareMicroPercent: 10_000_000,
    mintingFeeWei: 10n ** 18n,
  });
  const asset = await client.ip.mintAndRegisterIpAsset({
    contentId: `web-${params.get('protocol')}`,
    ipMetadata: { json: '{"title":"Web"}' },
    royaltyShares: [{ walletAddress: wallet, role: 'author', shareBasisPoints: 10000 }],
  });
  await client.ip.attachLicenseTerms({
    ipAssetId: asset.ipAssetId as string,
    licenseTermsId: terms.licenseTermsId as bigint,
  });
  const read = await client.ip.getIpAsset({ ipAssetId: asset.ipAssetId as string });
  let invalid: unknown;
  try {
    await client.ip.registerLicenseTerms({ preset: 'commercialUse', currencyToken: 'WIP' });
  } catch (e) {
    const ce = e as ChainError;
    invalid = { name: ce.name, fieldViolations: ce.fieldViolations };
  }
  return {
    termsIdIsBigint: typeof terms.licenseTermsId === 'bigint',
    fee: terms.terms?.mintingFeeWei.toString(),
    keyIsUuidV7: isUuidV7(asset.idempotencyKey),
    registeredAt: asset.registeredAt?.toISOString(),
    attached: read.licenseTerms.map((t) => `${t.licenseTermsId}:${t.terms.royaltyPolicy}`),
    json: read.ipMetadata?.json,
    invalid,
  };
}

const mode = new URLSearchParams(location.search).get('mode');
(mode === 'chain-server' ? againstChainServer() : mode === 'ip' ? ipServices() : main()).then(
  (r) => {
    window.__result = { ok: true, ...r };
  },
  (e) => {
    window.__result = { ok: false, error: String(e), stack: (e as Error).stack };
  },
);
