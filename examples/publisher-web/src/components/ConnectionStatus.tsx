/**
 * The connection indicator in the header: which Chain service the page talks to and whether it
 * answers. GetServiceInfo through connect-query (once it answered, kept), and the service's
 * health polled so an outage shows up even when nobody clicks anything.
 */
import { useQuery as useConnectQuery } from '@connectrpc/connect-query';
import { ChainService } from '@mystira/chain-protos';
import { useQuery } from '@tanstack/react-query';
import { useServices } from '../chain.js';
import { describeError } from '../errors.js';

const POLL_MS = 4_000;

export function ConnectionStatus() {
  const { chain, chainUrl } = useServices();
  const info = useConnectQuery(
    ChainService.method.getServiceInfo,
    {},
    {
      retry: false,
      staleTime: Number.POSITIVE_INFINITY,
      refetchInterval: (q) => (q.state.data ? false : POLL_MS),
    },
  );
  const health = useQuery({
    queryKey: ['health'],
    queryFn: () => chain.checkHealth({ timeoutMs: 3_000, retry: false }),
    retry: false,
    refetchInterval: POLL_MS,
    enabled: info.isSuccess,
  });

  let state: 'connecting' | 'connected' | 'degraded' | 'down' = 'connecting';
  let text = `Connecting to ${chainUrl}…`;
  const error = info.error ?? health.error;
  if (error) {
    state = 'down';
    text = `Disconnected from ${chainUrl}. ${describeError(error)}`;
  } else if (info.data && health.data === 'serving') {
    state = 'connected';
    text = `Connected · ${info.data.network} · ${info.data.serviceName} ${info.data.version}`;
  } else if (info.data && health.data) {
    state = 'degraded';
    text = `The Chain service at ${chainUrl} reports ${health.data.replace('_', ' ')}`;
  }
  return (
    <p className={`connection connection-${state}`} role="status" data-state={state}>
      <span className="dot" aria-hidden="true" />
      <span data-testid="connection-text">{text}</span>
    </p>
  );
}
