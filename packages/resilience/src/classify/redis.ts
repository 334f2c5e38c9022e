import { type CallContext, errorChain, isSafeToRepeat, prop } from './context.js';

// Socket errors where no byte reached the server: the request certainly had no effect.
const neverSent = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
// The connection broke or stalled with the request possibly processed.
const midFlight = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
]);
// Redis replies that reject a command without running it (server loading its dataset, cluster
// slot migrating or down, write sent to a replica after a failover).
const redisRejections = ['LOADING', 'TRYAGAIN', 'CLUSTERDOWN', 'READONLY', 'MASTERDOWN'];

function networkCode(err: unknown, codes: ReadonlySet<string>): boolean {
  return errorChain(err).some((e) => {
    const code = prop(e, 'code');
    return typeof code === 'string' && codes.has(code);
  });
}

/** A network error that never reached the server (refused, unresolved, unreachable). */
export function networkHadNoEffect(err: unknown): boolean {
  return networkCode(err, neverSent);
}

/** A Redis error for a command that certainly did not run (server rejection or never sent). */
export function redisHadNoEffect(err: unknown): boolean {
  return errorChain(err).some((e) => {
    const message = prop(e, 'message');
    if (typeof message !== 'string') return false;
    // ioredis with enableOfflineQueue: false refuses commands while disconnected: never sent.
    return (
      redisRejections.some((p) => message.startsWith(p)) ||
      message.startsWith("Stream isn't writeable")
    );
  });
}

/**
 * Whether a network error is worth retrying: refused/unresolved/unreachable connections, resets,
 * timeouts and broken pipes (Node `code`s), for calls that are safe to repeat.
 */
export function isTransientNetwork(err: unknown, ctx: CallContext = {}): boolean {
  return isSafeToRepeat(ctx) && (networkCode(err, neverSent) || networkCode(err, midFlight));
}

/**
 * Whether an ioredis error is worth retrying, for calls that are safe to repeat: the server
 * rejections LOADING, TRYAGAIN, CLUSTERDOWN, READONLY and MASTERDOWN, ioredis refusing a command
 * while disconnected ("Stream isn't writeable"), "Connection is closed.", MaxRetriesPerRequestError,
 * and the network errors of {@link isTransientNetwork}. Command errors (WRONGTYPE, NOSCRIPT, ...) never.
 */
export function isTransientRedis(err: unknown, ctx: CallContext = {}): boolean {
  if (!isSafeToRepeat(ctx)) return false;
  if (redisHadNoEffect(err)) return true;
  const lost = errorChain(err).some(
    (e) =>
      prop(e, 'name') === 'MaxRetriesPerRequestError' ||
      prop(e, 'message') === 'Connection is closed.',
  );
  return lost || isTransientNetwork(err, ctx);
}
