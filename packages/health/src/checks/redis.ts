import { CheckFailedError } from '../errors.js';
import type { HealthCheck } from '../registry.js';
import { checkFields, type ReadyCheckOptions } from './options.js';

/** What the Redis check needs: an ioredis `Redis`/`Cluster` or a node-redis v4+ client fits. */
export interface RedisPingable {
  /** Sends PING; a healthy server answers `PONG`. */
  ping(): Promise<string>;
  /** ioredis's connection state; when present it lets the check fail fast while disconnected. */
  readonly status?: string;
}

// ioredis states in which a command would sit in the offline queue (or fail) instead of
// reaching a server: answering "unhealthy" now beats waiting for the timeout.
const downStates = new Set(['reconnecting', 'close', 'end']);

/** Sends PING and expects PONG. */
export function redisCheck(client: RedisPingable, options: ReadyCheckOptions = {}): HealthCheck {
  return {
    ...checkFields({ name: 'redis' }, options),
    async check() {
      if (client.status !== undefined && downStates.has(client.status)) {
        throw new CheckFailedError(`redis client is ${client.status}`);
      }
      const reply = await client.ping();
      if (reply !== 'PONG') throw new CheckFailedError(`redis answered PING with ${String(reply)}`);
    },
  };
}
