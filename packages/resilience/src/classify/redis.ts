import { type CallContext, errorChain, isSafeToRepeat, prop } from './context.js';

// Socket errors where no byte reached the server: always safe to try again.
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

/**
 * Whether a network error (Node `code` such as ECONNREFUSED) is worth retrying: refused/unresolved
 * connections always (nothing was sent); resets, timeouts and broken pipes only when safe to repeat.
 */
export function isTransientNetwork(err: unknown, ctx: CallContext = {}): boolean {
  for (const e of errorChain(err)) {
    const code = prop(e, 'code');
    if (typeof code !== 'string') continue;
    if (neverSent.has(code)) return true;
    if (midFlight.has(code)) return isSafeToRepeat(ctx);
  }
  return false;
}

/**
 * Whether an ioredis error is worth retrying: the server rejections LOADING, TRYAGAIN,
 * CLUSTERDOWN, READONLY and MASTERDOWN always (the command did not run), as is ioredis refusing a
 * command while disconnected without an offline queue ("Stream isn't writeable"); ioredis's
 * "Connection is closed" / MaxRetriesPerRequestError and socket resets only when safe to repeat;
 * ECONNREFUSED always. Command errors such as WRONGTYPE or NOSCRIPT never.
 */
export function isTransientRedis(err: unknown, ctx: CallContext = {}): boolean {
  for (const e of errorChain(err)) {
    const message = prop(e, 'message');
    const name = prop(e, 'name');
    if (typeof message === 'string' && redisRejections.some((p) => message.startsWith(p)))
      return true;
    // ioredis with enableOfflineQueue: false refuses commands while disconnected: never sent.
    if (typeof message === 'string' && message.startsWith("Stream isn't writeable")) return true;
    if (name === 'MaxRetriesPerRequestError' || message === 'Connection is closed.') {
      return isSafeToRepeat(ctx);
    }
  }
  return isTransientNetwork(err, ctx);
}
