/**
 * TraceIdRatioSampler (src/ratio-sampler.ts) decides as the SDK's TraceIdRatioBasedSampler does,
 * for any valid trace id and any ratio, so services sampling at one ratio keep or drop the same
 * traces whichever of the two they use.
 */
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { type Sampler, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceIdRatioSampler } from '../src/ratio-sampler.ts';

const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF');
const traceId = fc
  .array(hexDigit, { minLength: 32, maxLength: 32 })
  .map((d) => d.join(''))
  .filter((id) => !/^0+$/.test(id));
const decide = (sampler: Sampler, id: string): SamplingDecision =>
  sampler.shouldSample(ROOT_CONTEXT, id, 'span', SpanKind.SERVER, {}, []).decision;

describe('TraceIdRatioSampler', () => {
  it('agrees with the SDK sampler for any trace id and ratio', () => {
    fc.assert(
      fc.property(traceId, fc.double({ min: 0, max: 1, noNaN: true }), (id, ratio) => {
        expect(decide(new TraceIdRatioSampler(ratio), id)).toBe(
          decide(new TraceIdRatioBasedSampler(ratio), id),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees near the boundary: trace ids whose hash sits at the ratio bound', () => {
    // A trace id whose first word is the hash and the other three cancel out (x ^ x ^ 0 = 0).
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: -2, max: 2 }),
        (ratio, delta) => {
          const bound = Math.floor(ratio * (2 ** 32 - 1));
          const hash = Math.min(2 ** 32 - 1, Math.max(1, bound + delta));
          const word = hash.toString(16).padStart(8, '0');
          const id = `${word}1234abcd1234abcd00000000`;
          expect(decide(new TraceIdRatioSampler(ratio), id)).toBe(
            decide(new TraceIdRatioBasedSampler(ratio), id),
          );
        },
      ),
    );
  });

  it('clamps ratios outside [0, 1] and NaN as the SDK does', () => {
    for (const ratio of [-1, 2, Number.NaN, Number.POSITIVE_INFINITY]) {
      const ours = new TraceIdRatioSampler(ratio);
      const sdk = new TraceIdRatioBasedSampler(ratio);
      expect(ours.toString()).toBe(sdk.toString());
      for (const id of ['ffffffffffffffffffffffffffffffff', '0af7651916cd43dd8448eb211c80319c']) {
        expect(decide(ours, id)).toBe(decide(sdk, id));
      }
    }
  });

  it('samples every trace at 1 and none at 0', () => {
    const id = 'ffffffff000000000000000000000000';
    expect(decide(new TraceIdRatioSampler(1), id)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(new TraceIdRatioSampler(0), id)).toBe(SamplingDecision.NOT_RECORD);
  });
});
