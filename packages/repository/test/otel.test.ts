import {
  type CallObservation,
  createPolyglot,
  memoryMirror,
  memoryOutbox,
  memoryRepository,
  NotFoundError,
  ValidationError,
} from '@mystira/repository';
import { observePolyglot, tracedMirror, tracedRepository } from '@mystira/repository/otel';
import { type ConformanceItemT, repositoryConformance } from '@mystira/repository/testing';
import { hashQuery, spec } from '@mystira/specification';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { otelRecorder } from '../../../test-support/otel-recorder.js';
import { flaky } from './polyglot/flaky.js';
import { Account, type AccountT, account } from './polyglot/helpers.js';

const otel = otelRecorder();
const options = { tracer: otel.tracer, meter: otel.meter };
afterAll(() => otel.shutdown());

/** Runs `fn` under a fresh parent span and returns that span's id. */
async function underParent(fn: () => Promise<unknown>): Promise<string> {
  const parent = otel.tracer.startSpan('request');
  await context.with(trace.setSpan(context.active(), parent), fn);
  parent.end();
  return parent.spanContext().spanId;
}

describe('tracedRepository over the memory adapter', () => {
  it('makes each call a CLIENT span, child of the active span, with db.* attributes', async () => {
    otel.reset();
    const repo = tracedRepository(memoryRepository<AccountT>(Account), options);
    const query = spec(Account).where((w) => w.gte('balance', 5));
    const parentId = await underParent(async () => {
      await repo.add(account('a', { balance: 7 }));
      expect(await repo.list(query)).toHaveLength(1);
    });
    const add = (await otel.named('add accounts'))[0]!;
    const list = (await otel.named('list accounts'))[0]!;
    for (const s of [add, list]) {
      expect(s.kind).toBe(SpanKind.CLIENT);
      expect(s.parentSpanContext?.spanId).toBe(parentId);
      expect(s.attributes).toMatchObject({
        'db.system': 'memory',
        'db.collection.name': 'accounts',
        'mystira.entity': 'accounts',
      });
    }
    expect(add.attributes['db.operation.name']).toBe('add');
    expect(list.attributes['mystira.spec.hash']).toBe(hashQuery(query.build()));
    expect(add.attributes['mystira.spec.hash']).toBeUndefined();
  });

  it('records failures on the span and in the duration histogram', async () => {
    otel.reset();
    const repo = tracedRepository(memoryRepository<AccountT>(Account), options);
    await expect(repo.update(account('missing'))).rejects.toBeInstanceOf(NotFoundError);
    const span = (await otel.named('update accounts'))[0]!;
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('NOT_FOUND');
    expect(span.events.map((e) => e.name)).toContain('exception');
    const points = await otel.points('db.client.operation.duration');
    expect(
      points.find(
        (p) =>
          p.attributes['db.operation.name'] === 'update' &&
          p.attributes['error.type'] === 'NOT_FOUND',
      )?.value,
    ).toBe(1);
    expect(points.some((p) => p.attributes['db.operation.name'] === 'add')).toBe(true);
  });

  it('covers a whole stream with one span and passes everything else through', async () => {
    otel.reset();
    const inner = memoryRepository<AccountT>(Account, {
      seed: [account('a'), account('b'), account('c')],
    });
    const repo = tracedRepository(inner, options);
    const seen: string[] = [];
    for await (const a of repo.stream(spec(Account).orderBy('id'))) seen.push(a.id);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect((await otel.named('stream accounts'))[0]?.attributes['mystira.stream.items']).toBe(3);
    expect(repo.size).toBe(3); // a MemoryRepository member, through the proxy
  });

  it('ends the stream span with an error when the spec is invalid', async () => {
    otel.reset();
    const repo = tracedRepository(memoryRepository<AccountT>(Account), options);
    // A query of another entity: the adapter refuses it when the stream opens.
    const bad = { ...spec(Account).build(), entity: 'invoices' };
    await expect(async () => {
      for await (const _ of repo.stream(bad)) {
        // never reached
      }
    }).rejects.toBeInstanceOf(ValidationError);
    const span = (await otel.named('stream accounts'))[0]!;
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('VALIDATION');
  });

  it('hands the facts an adapter observes to the caller too', async () => {
    const facts: CallObservation[] = [];
    const inner = memoryRepository<AccountT>(Account);
    const reporting = new Proxy(inner, {
      get(t, p) {
        if (p === 'getById')
          return async (id: string, o?: { observe?: (f: CallObservation) => void }) => {
            o?.observe?.({ rowCount: 1, statement: 'SELECT' });
            return t.getById(id);
          };
        return Reflect.get(t, p, t);
      },
    });
    otel.reset();
    await tracedRepository(reporting, options).getById('x', { observe: (f) => facts.push(f) });
    expect(facts).toEqual([{ rowCount: 1, statement: 'SELECT' }]);
    expect((await otel.named('getById accounts'))[0]?.attributes).toMatchObject({
      'db.response.returned_rows': 1,
      'db.query.summary': 'SELECT accounts',
    });
  });
});

describe('polyglot', () => {
  it('nests: polyglot span, then the primary and the mirror spans as its children', async () => {
    otel.reset();
    const primary = tracedRepository(memoryRepository<AccountT>(Account), options);
    const secondary = tracedMirror(memoryMirror<AccountT>(Account), options);
    const polyglot = createPolyglot({
      outbox: memoryOutbox(),
      entities: { accounts: { primary, secondary, phase: 'DualWritePrimaryRead' } },
    });
    const repo = tracedRepository(polyglot.repositories.accounts, options);
    const parentId = await underParent(() => repo.add(account('p1')));
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

describe('tracedRepository is transparent: the conformance kit passes through it', () => {
  // A recording SDK, so every span really is made and ended around each call.
  for (const c of repositoryConformance({
    create: (e) => tracedRepository(memoryRepository<ConformanceItemT>(e), options),
  })) {
    it(c.name, c.run, 30_000);
  }
});
