/**
 * Cleanup on the shared Redis (127.0.0.1:6379), where every test file works under its own key
 * prefix: only that prefix's keys are removed, never the whole server.
 */
import type { Redis } from 'ioredis';

/** Deletes every key under `prefix` (SCAN, never KEYS or FLUSHDB on the shared server). */
export async function deletePrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}
