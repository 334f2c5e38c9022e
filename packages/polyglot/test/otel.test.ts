/**
 * OpenTelemetry of the polyglot layer over the memory stores: a polyglot write's span (named by
 * the repository's `decorator`, with the phase) has the primary's and the mirror's spans as
 * children, and `observePolyglot`'s outbox gauges follow a secondary outage and the replay.
 */
import { createPolyglot, memoryMirror, memoryOutbox } from '@mystira/polyglot';
import { observePolyglot, tracedMirror } from '@mystira/polyglot/otel';
import { memoryRepository } from '@mystira/repository';
import { tracedRepository } from '@mystira/repository/otel';
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { useOtelRecorder } from '../../../test-support/otel-recorder.js';
import { flaky } from './flaky.js';
import { Account, type AccountT, account } from './helpers.js';

const otel = useOtelRecorder();

describe('polyglot', () => {
  it('nests: polyglot span, then the primary and the mirror spans as its children', async () => {
    otel.reset();
    const primary = tracedRepository(memoryRepository<AccountT>(Account), otel.options);
    const secondary = tracedMirror(memoryMirror<AccountT>(Account), otel.options);
    const polyglot = createPolyglot({
      outbox: memoryOutbox(),
      entities: { accounts: { primary, secondary, phase: 'DualWritePrimaryRead' } },
    });
    const repo = tracedRepository(polyglot.repositories.accounts, otel.options);
    const parentId = await otel.underParent(() => repo.add(account('p1')));
    await polyglot.settled();
    const outer = (await otel.named('polyglot.add accounts'))[0]!;
    expect(outer.kind).toBe(SpanKind.INTERNAL);
    expect(outer.parentSpanContext?.spanId).toBe(parentId);
    expect(outer.attributes['mystira.polyglot.phase']).toBe('DualWritePrimaryRead');
    const id = outer.spanContext().spanId;
    const children = (await otel.spans()).filter((s) => s.parentSpanContext?.spanId === id);
    expect(children.map((s) => s.name).sort()).toEqual(
      expect.arrayContaining(['add accounts', 'mirror.put accounts']),
    );
    expect((await otel.named('mirror.put accounts'))[0]?.attributes['mystira.mirror.result']).toBe(
      'applied',
    );
  });

  it('observePolyglot: outbox gauges rise during a secondary outage and fall after the replay', async () => {
    let mode: 'ok' | 'fail' = 'ok';
    const polyglot = createPolyglot({
      outbox: memoryOutbox(),
      entities: {
        accounts: {
          primary: memoryRepository<AccountT>(Account),
          secondary: flaky(memoryMirror<AccountT>(Account), { mode: () => mode }),
          phase: 'DualWritePrimaryRead',
        },
      },
    });
    const observer = observePolyglot(polyglot, { meter: otel.meter });
    const value = async (name: string) =>
      (await otel.points(name)).find((p) => p.attributes['mystira.entity'] === 'accounts')?.value;
    expect(await value('mystira.outbox.depth')).toBe(0);
    mode = 'fail';
    for (let i = 0; i < 4; i++) await polyglot.repositories.accounts.add(account(`o${i}`));
    await polyglot.settled();
    expect(await value('mystira.outbox.depth')).toBe(4);
    expect(await value('mystira.polyglot.secondary_failures')).toBe(4);
    expect(await value('mystira.outbox.oldest_age')).toBeGreaterThanOrEqual(0);
    mode = 'ok';
    await polyglot.replayer().drain({ ignoreSchedule: true });
    expect(await value('mystira.outbox.depth')).toBe(0);
    expect(await value('mystira.outbox.replays')).toBeGreaterThanOrEqual(4);
    observer.dispose();
  });
});
