import {
  type CallObservation,
  memoryRepository,
  NotFoundError,
  ValidationError,
} from '@mystira/repository';
import { tracedRepository } from '@mystira/repository/otel';
import { type ConformanceItemT, repositoryConformance } from '@mystira/repository/testing';
import { hashQuery, spec } from '@mystira/specification';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { useOtelRecorder } from '../../../test-support/otel-recorder.js';
import { Account, type AccountT, account } from './accounts.js';

const otel = useOtelRecorder();

describe('tracedRepository over the memory adapter', () => {
  it('makes each call a CLIENT span, child of the active span, with db.* attributes', async () => {
    otel.reset();
    const repo = tracedRepository(memoryRepository<AccountT>(Account), otel.options);
    const query = spec(Account).where((w) => w.gte('balance', 5));
    const parentId = await otel.underParent(async () => {
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
    const repo = tracedRepository(memoryRepository<AccountT>(Account), otel.options);
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
    const repo = tracedRepository(inner, otel.options);
    const seen: string[] = [];
    for await (const a of repo.stream(spec(Account).orderBy('id'))) seen.push(a.id);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect((await otel.named('stream accounts'))[0]?.attributes['mystira.stream.items']).toBe(3);
    expect(repo.size).toBe(3); // a MemoryRepository member, through the proxy
  });

  it('ends the stream span with an error when the spec is invalid', async () => {
    otel.reset();
    const repo = tracedRepository(memoryRepository<AccountT>(Account), otel.options);
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
    await tracedRepository(reporting, otel.options).getById('x', { observe: (f) => facts.push(f) });
    expect(facts).toEqual([{ rowCount: 1, statement: 'SELECT' }]);
    expect((await otel.named('getById accounts'))[0]?.attributes).toMatchObject({
      'db.response.returned_rows': 1,
      'db.query.summary': 'SELECT accounts',
    });
  });
});

describe('tracedRepository over a decorator', () => {
  it("names INTERNAL spans after the repository's decorator and adds its span attributes", async () => {
    otel.reset();
    let generation = 1;
    const decorator = {
      name: 'sharded',
      spanAttributes: () => ({ 'test.generation': generation }),
    };
    // A decorator as a package would write one: no backend of its own, a `decorator` instead.
    const decorated = new Proxy(memoryRepository<AccountT>(Account), {
      get: (target, prop) => {
        if (prop === 'backend') return undefined;
        if (prop === 'decorator') return decorator;
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const repo = tracedRepository(decorated, otel.options);
    await repo.add(account('d1'));
    generation = 2;
    await repo.getById('d1');
    const add = (await otel.named('sharded.add accounts'))[0]!;
    expect(add.kind).toBe(SpanKind.INTERNAL);
    expect(add.attributes).toMatchObject({ 'db.system': 'mystira.sharded', 'test.generation': 1 });
    const get = (await otel.named('sharded.getById accounts'))[0]!;
    expect(get.attributes['test.generation']).toBe(2);
  });
});

describe('tracedRepository is transparent: the conformance kit passes through it', () => {
  // A recording SDK, so every span really is made and ended around each call.
  for (const c of repositoryConformance({
    create: (e) => tracedRepository(memoryRepository<ConformanceItemT>(e), otel.options),
  })) {
    it(c.name, c.run, 30_000);
  }
});
