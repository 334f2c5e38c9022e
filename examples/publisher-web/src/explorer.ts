/**
 * Block explorer links for what the page shows (transactions, IP assets), chosen by the network
 * the Chain service reports in GetServiceInfo. Only Story Protocol's public networks have
 * explorers; the devnet (simulated in the Chain service) and an embedded development chain (a
 * node on the service's own machine, with Story's chain id but test contracts) get a note that
 * shows the format instead of a link that would lead nowhere.
 *
 * Pure: no DOM, no client (the card and main.ts put the result on the page).
 */

/** What GetServiceInfo says about the chain. */
export interface NetworkInfo {
  network: string;
  rpcEndpoint: string;
}

/** A public Story network's explorers: transactions on Storyscan, IP assets on Story's IP explorer. */
export interface StoryExplorer {
  /** People's name for the network. */
  label: string;
  transactionUrl(hash: string): string;
  ipAssetUrl(ipId: string): string;
}

/**
 * Story's explorers. Aeneid's Storyscan host is the one in the Story SDK's chain object (and in
 * the explorer URLs Mystira's Python service returned); mainnet's are the ones Story's docs list
 * as official (the SDK's chain object names a dev-mainnet host instead).
 */
export const STORY_EXPLORERS: Record<'aeneid' | 'mainnet', StoryExplorer> = {
  aeneid: {
    label: 'Story Aeneid testnet',
    transactionUrl: (hash) => `https://aeneid.storyscan.xyz/tx/${hash}`,
    ipAssetUrl: (ipId) => `https://aeneid.explorer.story.foundation/ipa/${ipId}`,
  },
  mainnet: {
    label: 'Story mainnet',
    transactionUrl: (hash) => `https://www.storyscan.io/tx/${hash}`,
    ipAssetUrl: (ipId) => `https://explorer.story.foundation/ipa/${ipId}`,
  },
};

/** Links to a public explorer, or a note on why there are none (with the format for real networks). */
export type ExplorerView =
  | { kind: 'links'; explorer: StoryExplorer }
  | { kind: 'note'; text: string };

/** The format of a transaction link on Story's networks, for notes. */
function storyFormat(): string {
  const { aeneid, mainnet } = STORY_EXPLORERS;
  return `${aeneid.transactionUrl('<hash>')} (Aeneid) or ${mainnet.transactionUrl('<hash>')} (mainnet)`;
}

/**
 * Whether the node is on the Chain service's own machine (or inside it): then it is a
 * development chain, whatever chain id it has, and its blocks are on no public explorer.
 */
function isLocalNode(rpcEndpoint: string): boolean {
  const first = rpcEndpoint.split(',')[0]?.trim() ?? '';
  let url: URL;
  try {
    url = new URL(first);
  } catch {
    return false;
  }
  // Not a network URL (e.g. `eip1193://provider`: a node inside the service's process).
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return true;
  return ['localhost', '127.0.0.1', '[::1]', '0.0.0.0'].includes(url.hostname);
}

export function explorerFor(info: NetworkInfo): ExplorerView {
  const network = info.network.toLowerCase();
  if (network === 'devnet')
    return {
      kind: 'note',
      text: `none: the devnet is simulated inside the Chain service. On Story Protocol a transaction is at ${storyFormat()}.`,
    };
  if (network !== 'aeneid' && network !== 'mainnet')
    return { kind: 'note', text: `none known for the network "${info.network}".` };
  const explorer = STORY_EXPLORERS[network];
  if (isLocalNode(info.rpcEndpoint))
    return {
      kind: 'note',
      text: `none: an embedded development chain with Story test contracts (${info.rpcEndpoint}), not ${explorer.label}. There a transaction would be at ${explorer.transactionUrl('<hash>')}, an IP asset at ${explorer.ipAssetUrl('<ipId>')}.`,
    };
  return { kind: 'links', explorer };
}

/**
 * The explorer view, asked of the Chain service once and then kept; undefined (asked again next
 * time) while the service cannot say.
 */
export function explorerLookup(
  serviceInfo: () => Promise<NetworkInfo>,
): () => Promise<ExplorerView | undefined> {
  let known: ExplorerView | undefined;
  return async () => {
    if (known) return known;
    try {
      known = explorerFor(await serviceInfo());
      return known;
    } catch {
      return undefined;
    }
  };
}
