/**
 * Which explorer (if any) links the chain's transactions and IP assets: 'loading' until the
 * services answer, then their view (undefined when the Chain service did not say which network).
 * An answer arriving after the component is gone is dropped.
 */
import { useEffect, useState } from 'react';
import { useServices } from '../chain.js';
import type { ExplorerView } from '../explorer.js';

export function useExplorerView(): ExplorerView | undefined | 'loading' {
  const { explorer } = useServices();
  const [view, setView] = useState<ExplorerView | undefined | 'loading'>('loading');
  useEffect(() => {
    let live = true;
    void explorer().then((v) => live && setView(v));
    return () => {
      live = false;
    };
  }, [explorer]);
  return view;
}
