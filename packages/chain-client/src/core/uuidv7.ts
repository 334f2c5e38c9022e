/**
 * UUIDv7 (RFC 9562 §5.7) idempotency keys, laid out and formatted by the `uuid` package: 48-bit
 * Unix milliseconds, version 7, a counter, variant 10, random bits. Keys that sort by creation
 * time are cheap to index and expire in the server's idempotency store.
 *
 * Within one millisecond the counter (uuid's 32-bit `seq`, seeded at random: RFC 9562 §6.2
 * method 1) counts up, so the keys of one generator are strictly increasing even when many are
 * made in the same millisecond or the wall clock steps back; when the counter overflows the
 * timestamp is advanced by one millisecond rather than repeating a value.
 */
import { v7 } from 'uuid';

/**
 * Source of randomness; `crypto.getRandomValues` in Node 22+ and every browser.
 *
 * @inline
 */
export type RandomFill = (bytes: Uint8Array<ArrayBuffer>) => unknown;

/** Returns a new UUIDv7 at each call: time-ordered, unique and increasing within the generator. */
export type UuidV7Generator = () => string;

/**
 * Creates a generator with its own monotonic state. `now` and `random` are injectable so tests
 * can drive the clock.
 *
 * uuid keeps this state only for its own process-wide `v7()`, on its own clock; given a
 * timestamp and a counter it lays out the bytes. So the counter rule lives here, the same as
 * uuid's: a new millisecond seeds the counter from the random bytes, anything else (the same
 * millisecond, or a clock that went back) counts up from the last key.
 */
export function createUuidV7Generator(
  now: () => number = Date.now,
  random: RandomFill = (b) => globalThis.crypto.getRandomValues(b),
): UuidV7Generator {
  let msecs = -1;
  let seq = 0;
  const bytes: Uint8Array<ArrayBuffer> = new Uint8Array(16);
  return () => {
    const ms = Math.floor(now());
    random(bytes);
    if (ms > msecs) {
      msecs = ms;
      // 31 random bits: the counter starts in the lower half of its range, so it rarely overflows.
      seq =
        (((bytes[6] as number) & 0x7f) << 24) |
        ((bytes[7] as number) << 16) |
        ((bytes[8] as number) << 8) |
        (bytes[9] as number);
    } else {
      // A 32-bit counter: `| 0` wraps it, and a wrap moves to the next millisecond.
      seq = (seq + 1) | 0;
      if (seq === 0) msecs++;
    }
    return v7({ msecs, seq, random: bytes });
  };
}

/** The process-wide generator: uuid's own `v7()`, monotonic across the whole process. */
export const uuidv7: UuidV7Generator = () => v7();

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** True for a lower-case UUIDv7 string. */
export function isUuidV7(value: string): boolean {
  return UUID_V7.test(value);
}

/** The Unix millisecond timestamp embedded in a UUIDv7. */
export function uuidV7Timestamp(value: string): number {
  if (!isUuidV7(value)) throw new TypeError(`not a UUIDv7: ${value}`);
  return Number.parseInt(value.slice(0, 8) + value.slice(9, 13), 16);
}
