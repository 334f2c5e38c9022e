/**
 * keccak256 (Ethereum's hash: Keccak-f[1600], rate 1088 bits, the original 0x01 padding, not
 * SHA3-256's 0x06), for the metadata the devnet stores and registers with its hash. Node's crypto
 * has SHA3 but not Keccak, and the package takes no hashing dependency for a devnet; lanes are
 * `bigint`, which is slow but plenty for metadata documents of a few kilobytes.
 */

const MASK = (1n << 64n) - 1n;
const RATE_BYTES = 136;

/** The round constants of the iota step. */
const ROUND_CONSTANTS = [
  0x0000000000000001n,
  0x0000000000008082n,
  0x800000000000808an,
  0x8000000080008000n,
  0x000000000000808bn,
  0x0000000080000001n,
  0x8000000080008081n,
  0x8000000000008009n,
  0x000000000000008an,
  0x0000000000000088n,
  0x0000000080008009n,
  0x000000008000000an,
  0x000000008000808bn,
  0x800000000000008bn,
  0x8000000000008089n,
  0x8000000000008003n,
  0x8000000000008002n,
  0x8000000000000080n,
  0x000000000000800an,
  0x800000008000000an,
  0x8000000080008081n,
  0x8000000000008080n,
  0x0000000080000001n,
  0x8000000080008008n,
];

/** The rotation offsets of the rho step, by lane index x + 5y. */
const ROTATIONS = [
  0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
];

function rotl(v: bigint, n: number): bigint {
  if (n === 0) return v;
  const s = BigInt(n);
  return ((v << s) | (v >> (64n - s))) & MASK;
}

function permute(a: bigint[]): void {
  const b = new Array<bigint>(25).fill(0n);
  const c = new Array<bigint>(5).fill(0n);
  for (const rc of ROUND_CONSTANTS) {
    // theta
    for (let x = 0; x < 5; x++) {
      c[x] = a[x]! ^ a[x + 5]! ^ a[x + 10]! ^ a[x + 15]! ^ a[x + 20]!;
    }
    for (let x = 0; x < 5; x++) {
      const d = c[(x + 4) % 5]! ^ rotl(c[(x + 1) % 5]!, 1);
      for (let y = 0; y < 25; y += 5) a[x + y] = a[x + y]! ^ d;
    }
    // rho and pi
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) {
        b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y]!, ROTATIONS[x + 5 * y]!);
      }
    }
    // chi
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        a[x + y] = b[x + y]! ^ (~b[((x + 1) % 5) + y]! & MASK & b[((x + 2) % 5) + y]!);
      }
    }
    // iota
    a[0] = a[0]! ^ rc;
  }
}

/** keccak256 of `data` (a string is hashed as its UTF-8 bytes), as `0x` + 64 hex digits. */
export function keccak256(data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  // Pad: 0x01 after the message, 0x80 on the last byte of the block (0x81 when they coincide).
  const padded = new Uint8Array(Math.floor(bytes.length / RATE_BYTES + 1) * RATE_BYTES);
  padded.set(bytes);
  padded[bytes.length] = 0x01;
  padded[padded.length - 1] = padded[padded.length - 1]! | 0x80;
  const state = new Array<bigint>(25).fill(0n);
  for (let offset = 0; offset < padded.length; offset += RATE_BYTES) {
    for (let lane = 0; lane < RATE_BYTES / 8; lane++) {
      let v = 0n;
      // Lanes are little-endian 64-bit words.
      for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(padded[offset + lane * 8 + i]!);
      state[lane] = state[lane]! ^ v;
    }
    permute(state);
  }
  let hex = '';
  for (let lane = 0; lane < 4; lane++) {
    let v = state[lane]!;
    for (let i = 0; i < 8; i++) {
      hex += (v & 0xffn).toString(16).padStart(2, '0');
      v >>= 8n;
    }
  }
  return `0x${hex}`;
}
