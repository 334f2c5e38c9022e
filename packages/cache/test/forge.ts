/**
 * What an attacker with write access to Redis can do to an entry, written from the formats the
 * README documents (not from the package's code): rebuild an envelope, sign it with a key of
 * their choosing. Tests use a correct key as a positive control, so a rejection really is the
 * key's doing and not a mistake in this file.
 */
import { createHmac } from 'node:crypto';

const SIGNED_HEADER = 48; // 'MS1|' + 43 base64url characters + '|'

/** The MC1 envelope inside an entry (signed or not). */
export function envelopeOf(entry: Buffer): Buffer {
  return entry.subarray(0, 4).toString('latin1') === 'MS1|' ? entry.subarray(SIGNED_HEADER) : entry;
}

/** `MC1|serializer|kind|expires|tokens|` of an envelope, and its payload. */
export function split(envelope: Buffer): { header: string; payload: Buffer } {
  let at = -1;
  for (let i = 0; i < 5; i++) at = envelope.indexOf(0x7c, at + 1);
  return {
    header: envelope.toString('latin1', 0, at + 1),
    payload: envelope.subarray(at + 1),
  };
}

/** The same envelope with another payload (and optionally kind `n`: a forged "not found"). */
export function rewrite(envelope: Buffer, payload: string, kind?: 'v' | 'n'): Buffer {
  const { header } = split(envelope);
  const parts = header.split('|');
  if (kind) parts[2] = kind;
  return Buffer.concat([Buffer.from(parts.join('|'), 'latin1'), Buffer.from(payload, 'utf8')]);
}

/** An entry signed with `key` for `redisKey`, as the README describes the MAC. */
export function sign(key: string | Buffer, redisKey: string, envelope: Buffer): Buffer {
  const mac = createHmac('sha256', key)
    .update('mystira-cache-entry/1\0')
    .update(`${Buffer.byteLength(redisKey)}:${redisKey}`)
    .update(envelope)
    .digest('base64url');
  return Buffer.concat([Buffer.from(`MS1|${mac}|`, 'latin1'), envelope]);
}
