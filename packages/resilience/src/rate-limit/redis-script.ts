/**
 * The Redis side of a take: bucket.ts's arithmetic in one Lua script, so that reading the bucket,
 * deciding and writing it back are one atomic step however many instances share it. It touches
 * one key (Redis Cluster routes it by that key) and reads the clock from Redis `TIME`, so every
 * instance uses the same clock whatever their own clocks say.
 *
 * KEYS[1] the bucket. ARGV: burst µs, cost µs, now µs ('' = Redis TIME; only tests pass one),
 * extra ms of key lifetime (0; see redis.ts). Returns {1, backlog µs} when allowed, {0, wait µs}
 * when refused. Numbers are whole µs, exact in Lua's doubles; the TAT is written with %.0f
 * because tostring() keeps only 14 digits.
 */
export const takeScript = `
if redis.replicate_commands then redis.replicate_commands() end
local now = tonumber(ARGV[3])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local burst = tonumber(ARGV[1])
local after = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat and tat > now then after = after + (tat - now) end
if after > burst then return {0, after - burst} end
if after > 0 then
  redis.call('SET', KEYS[1], string.format('%.0f', now + after), 'PX', math.ceil(after / 1000) + tonumber(ARGV[4]))
end
return {1, after}
`;

let digest: Promise<string> | undefined;

/** The script's SHA-1 for EVALSHA, by Web Crypto (no `node:crypto`: the package runs in browsers too). */
export function takeScriptSha(): Promise<string> {
  digest ??= crypto.subtle
    .digest('SHA-1', new TextEncoder().encode(takeScript))
    .then((hash) =>
      Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join(''),
    );
  return digest;
}
