/**
 * The connection indicator in the header: which Chain service the page talks to and whether it
 * answers. Polls the service's health so an outage shows up even when nobody clicks anything.
 */
import type { ChainClient } from '@mystira/chain-client/web';
import { el } from './dom.js';
import { describeError } from './errors.js';

const POLL_MS = 4_000;

export function createConnectionStatus(chain: ChainClient, chainUrl: string): HTMLElement {
  const text = el('span', { 'data-testid': 'connection-text' }, `Connecting to ${chainUrl}…`);
  const element = el(
    'p',
    { class: 'connection connection-unknown', role: 'status', 'data-state': 'connecting' },
    el('span', { class: 'dot', 'aria-hidden': 'true' }),
    text,
  );
  const set = (state: 'connected' | 'degraded' | 'down', message: string) => {
    element.dataset.state = state;
    element.className = `connection connection-${state}`;
    text.textContent = message;
  };

  let network: string | undefined;
  const check = async () => {
    try {
      if (!network) {
        const info = await chain.getServiceInfo({ timeoutMs: 3_000, retry: false });
        network = `${info.network} · ${info.serviceName} ${info.version}`;
      }
      const status = await chain.checkHealth({ timeoutMs: 3_000, retry: false });
      if (status === 'serving') set('connected', `Connected · ${network}`);
      else set('degraded', `The Chain service at ${chainUrl} reports ${status.replace('_', ' ')}`);
    } catch (err) {
      set('down', `Disconnected from ${chainUrl}. ${describeError(err)}`);
    }
  };
  const loop = async () => {
    await check();
    setTimeout(() => void loop(), POLL_MS);
  };
  void loop();
  return element;
}
