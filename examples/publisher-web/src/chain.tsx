/**
 * What every component shares: the Chain client (chain-client/web: retries, deadlines, typed
 * errors, WatchTransactions that survives reconnects), the Connect transport that connect-query's
 * hooks call through (the same interceptors: bearer token and trace context), the explorer
 * lookup, and the page's aria-live announcer.
 */
import type { ChainClient } from '@mystira/chain-client/web';
import { createContext, type ReactNode, useContext } from 'react';
import type { ExplorerView } from './explorer.js';

/** Where a card learns which explorer (if any) shows a transaction. */
export type ExplorerSource = () => Promise<ExplorerView | undefined>;

export interface PageServices {
  chain: ChainClient;
  chainUrl: string;
  explorer: ExplorerSource;
  /** Puts a short status sentence in the page's polite live region. */
  announce(message: string): void;
}

const Services = createContext<PageServices | undefined>(undefined);

export function ServicesProvider({
  value,
  children,
}: {
  value: PageServices;
  children: ReactNode;
}) {
  return <Services.Provider value={value}>{children}</Services.Provider>;
}

export function useServices(): PageServices {
  const services = useContext(Services);
  if (!services) throw new Error('useServices outside ServicesProvider');
  return services;
}
