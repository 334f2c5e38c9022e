import { prop } from './context.js';

/**
 * Reads one header from the shapes drivers use: a WHATWG `Headers` (Connect metadata, fetch),
 * a grpc-js `Metadata` (`get()` returns an array), or a plain record (Cosmos `headers`, axios).
 */
export function readHeader(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = prop(headers, 'get');
  if (typeof get === 'function') {
    const value: unknown = get.call(headers, name);
    if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
    return value === null || value === undefined ? undefined : String(value);
  }
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === lower && value !== undefined && value !== null) {
      return Array.isArray(value) ? String(value[0]) : String(value);
    }
  }
  return undefined;
}

function headerSources(err: unknown): unknown[] {
  const response = prop(err, 'response');
  return [
    prop(err, 'metadata'), // ConnectError (headers + trailers), grpc-js ServiceError
    prop(err, 'headers'), // Cosmos ErrorResponse, fetch-style errors
    prop(response, 'headers'), // axios/got-style errors
    prop(err, 'responseHeaders'),
  ];
}

/**
 * The gRPC pushback from `grpc-retry-pushback-ms`: a non-negative number of milliseconds, or
 * `'stop'` when the server sent a negative or malformed value, which per the gRPC retry design
 * means "do not retry".
 */
export function grpcPushback(err: unknown): number | 'stop' | undefined {
  for (const headers of headerSources(err)) {
    const raw = readHeader(headers, 'grpc-retry-pushback-ms');
    if (raw === undefined) continue;
    return /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : 'stop';
  }
  return undefined;
}

function parseRetryAfter(raw: string, now: number): number | undefined {
  const value = raw.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long the server asked the client to wait before retrying, in milliseconds, or `undefined`
 * when it gave no hint. Reads, in order:
 * - gRPC `grpc-retry-pushback-ms` (Connect and grpc-js metadata);
 * - Cosmos DB `retryAfterInMs` / `retryAfterInMilliseconds` and the `x-ms-retry-after-ms` header;
 * - HTTP `Retry-After` (delta-seconds or an HTTP date, relative to `now`).
 * Duck-typed: no driver is imported.
 */
export function retryAfterMs(err: unknown, now: number = Date.now()): number | undefined {
  const pushback = grpcPushback(err);
  if (typeof pushback === 'number') return pushback;
  for (const key of ['retryAfterInMs', 'retryAfterInMilliseconds', 'retryAfterMs']) {
    const value = prop(err, key);
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  }
  for (const headers of headerSources(err)) {
    const cosmos = readHeader(headers, 'x-ms-retry-after-ms');
    if (cosmos !== undefined && /^\d+(\.\d+)?$/.test(cosmos.trim()))
      return Math.round(Number(cosmos));
    const retryAfter = readHeader(headers, 'retry-after');
    if (retryAfter !== undefined) {
      const ms = parseRetryAfter(retryAfter, now);
      if (ms !== undefined) return ms;
    }
  }
  return undefined;
}
