/**
 * SHA-256 as lowercase hex, synchronous in Node and in browsers alike (WebCrypto's digest is
 * async-only). A cryptographic hash matters here: specs can come from untrusted callers via
 * `fromJSON`, and a cache keyed by a weak hash could be poisoned with a deliberately colliding
 * spec. In Node (22.3+), `process.getBuiltinModule` hands us node:crypto synchronously without a
 * static import (so this module still loads in browsers); elsewhere `@noble/hashes` (audited,
 * pure JS) computes the same digest.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

interface NodeCrypto {
  createHash(algorithm: 'sha256'): {
    update(data: string | Uint8Array): { digest(encoding: 'hex'): string };
  };
}

const native: NodeCrypto | undefined = (() => {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process;
    return proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
  } catch {
    return undefined;
  }
})();

/** SHA-256 of a string (UTF-8) or bytes, as lowercase hex. */
export function sha256Hex(input: string | Uint8Array): string {
  if (native) return native.createHash('sha256').update(input).digest('hex');
  return bytesToHex(sha256(typeof input === 'string' ? utf8ToBytes(input) : input));
}
