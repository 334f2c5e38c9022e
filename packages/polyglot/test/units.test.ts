import {
  backoffDelay,
  compareIds,
  createPolyglot,
  diffItems,
  gate,
  MemoryCheckpointStore,
  MemoryPhaseStore,
  memoryMirror,
  memoryOutbox,
  PhaseChangeError,
  PolyglotConfigError,
  type PolyglotEvents,
  removeGate,
  syncId,
} from '@mystira/polyglot';
import {
  AlreadyExistsError,
  memoryRepository,
  NotFoundError,
  runAggregate,
} from '@mystira/repository';
import { entity, field, spec } from '@mystira/specification';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flaky } from './flaky.js';
import { Account, type AccountT, account, everyItem } from './helpers.js';

function setup(
  options: {
    phase?:
      | 'PrimaryOnly'
      | 'DualWritePrimaryRead'
      | 'DualWriteSecondaryRead'
      | 'SecondaryOnly'
      | 'DualWrite';
    mode?: () => 'ok' | 'fail' | 'phantom';
    shadow?: boolean;
  } = {},
) {
  const primary = memoryRepository<AccountT>(Account);
  const inner = memoryMirror<AccountT>(Account);
  const mode = { current: 'ok' as 'ok' | 'fail' | 'phantom' };
  const secondary = flaky(inner, { mode: options.mode ?? (() => mode.current) });
  const outbox = memoryOutbox();
  const polyglot = createPolyglot({
    outbox,
    entities: {
      accounts: {
        primary,
        secondary,
        phase: options.phase ?? 'DualWritePrimaryRead',
        shadowReads: options.shadow ?? false,
      },
    },
  });
  return {
    primary,
    inner,
    secondary,
    outbox,
    polyglot,
    repo: polyglot.repositories.accounts,
    mode,
  };
}

describe('mirror gate', () => {
  it('applies newer versions, refuses older ones and tombstoned ones', () => {
    expect(gate(undefined, 1)).toBe('write');
    expect(gate({ version: 3, deleted: false }, 4)).toBe('write');
    expect(gate({ version: 3, deleted: false }, 3)).toBe('stale');
    expect(gate({ version: 3, deleted: false }, 2)).toBe('stale');
    expect(gate({ version: 3, deleted: true }, 3)).toBe('tombstoned');
    expect(gate({ version: 3, deleted: true }, 4)).toBe('write');
    expect(gate({ version: 3, deleted: true }, 1, { expect: { version: 3, deleted: true } })).toBe(
      'write',
    );
    expect(gate({ version: 3, deleted: false }, 9, { expect: null })).toBe('conflict');
    expect(removeGate({ version: 5, deleted: false }, 4)).toBe('stale');
    expect(removeGate({ version: 5, deleted: false }, 5)).toBe('write');
    expect(removeGate({ version: 5, deleted: true }, 5)).toBe('stale');
  });

  it('memory mirror: out-of-order and repeated puts converge on the highest version (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 20 }),
        async (versions) => {
          const m = memoryMirror<AccountT>(Account);
          for (const v of versions) await m.put(account('a', { balance: v }), v);
          const max = Math.max(...versions);
          const got = await m.repository.getById('a');
          expect(got).toEqual(account('a', { balance: max, version: max }));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a delete leaves a tombstone that blocks older puts; only a CAS replaces it', async () => {
    const m = memoryMirror<AccountT>(Account);
    await m.put(account('a'), 3);
    expect(await m.remove('a', 3)).toBe('applied');
    expect(await m.head('a')).toEqual({ version: 3, deleted: true });
    expect(await m.put(account('a'), 2)).toBe('tombstoned');
    expect(await m.put(account('a'), 3)).toBe('tombstoned');
    expect(await m.put(account('a'), 1, { expect: { version: 3, deleted: true } })).toBe('applied');
    expect((await m.repository.getById('a'))?.version).toBe(1);
    expect(await m.tombstones()).toEqual([]);
  });
});

describe('dual write', () => {
  it('writes the primary first, the secondary with the primary version, and completes the intent', async () => {
    const { repo, inner, outbox, polyglot } = setup();
    const a = await repo.add(account('a'));
    const b = await repo.update({ ...a, balance: 5 });
    expect(b.version).toBe(2);
    expect(await inner.repository.getById('a')).toEqual(b);
    await polyglot.settled();
    expect(outbox.size).toBe(0);
  });

  it('primary refusals reach the caller and write nothing anywhere', async () => {
    const { repo, inner, outbox, polyglot } = setup();
    await repo.add(account('a'));
    await expect(repo.add(account('a'))).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(repo.delete('zz')).rejects.toBeInstanceOf(NotFoundError);
    await polyglot.settled();
    expect(outbox.size).toBe(0);
    expect(await inner.repository.count(everyItem)).toBe(1);
  });

  it('a failing secondary never fails the write; the outbox and a replay repair it', async () => {
    const { repo, inner, outbox, polyglot, mode } = setup();
    const failures: PolyglotEvents['secondary-failure'][] = [];
    polyglot.on('secondary-failure', (e) => failures.push(e));
    mode.current = 'fail';
    const a = await repo.add(account('a'));
    await repo.update({ ...a, name: 'x' });
    await repo.add(account('b'));
    await repo.delete('b');
    expect(failures).toHaveLength(4);
    expect(await inner.repository.getById('a')).toBeUndefined();
    const metrics = await polyglot.metrics();
    expect(metrics.accounts!.counters.secondaryFailures).toBe(4);
    expect(metrics.accounts!.outbox.depth).toBeGreaterThan(0);
    mode.current = 'ok';
    await polyglot.replayer({ idleMs: 1 }).drain({ ignoreSchedule: true });
    expect(outbox.size).toBe(0);
    expect(await inner.repository.getById('a')).toEqual(await repo.getById('a'));
    expect((await polyglot.verify('accounts')).differences).toBe(0);
  });

  it('phantom writes (timed out, but landed) and replays in any order converge (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            op: fc.constantFrom('upsert', 'update', 'delete', 'add'),
            id: fc.constantFrom('a', 'b', 'c'),
            mode: fc.constantFrom('ok', 'ok', 'fail', 'phantom'),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        fc.integer({ min: 1, max: 3 }),
        async (ops, replayers) => {
          let next: 'ok' | 'fail' | 'phantom' = 'ok';
          const { repo, polyglot, outbox } = setup({ mode: () => next });
          for (const o of ops) {
            next = o.mode as typeof next;
            try {
              if (o.op === 'add') await repo.add(account(o.id));
              else if (o.op === 'upsert') await repo.upsert(account(o.id, { balance: ops.length }));
              else if (o.op === 'update') {
                const cur = await polyglot.binding('accounts')!.primary.getById(o.id);
                if (cur)
                  await repo.update({
                    ...(cur as AccountT),
                    balance: (cur as AccountT).balance + 1,
                  });
              } else await repo.delete(o.id);
            } catch (err) {
              if (!(err instanceof AlreadyExistsError || err instanceof NotFoundError)) throw err;
            }
          }
          next = 'ok';
          await polyglot.settled();
          // Several replayers, racing.
          await Promise.all(
            Array.from({ length: replayers }, () =>
              polyglot.replayer({ idleMs: 1, batchSize: 2 }).drain({ ignoreSchedule: true }),
            ),
          );
          expect(outbox.size).toBe(0);
          expect((await polyglot.verify('accounts')).differences).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('syncId copies the truth over a newer-looking stale copy (delete + re-create)', async () => {
    const primary = memoryRepository<AccountT>(Account);
    const m = memoryMirror<AccountT>(Account);
    await primary.add(account('a', { name: 'new generation' }));
    await m.put(account('a', { name: 'old generation' }), 7);
    expect(await syncId(primary, m, 'a')).toBe('repaired');
    expect(await m.repository.getById('a')).toEqual(await primary.getById('a'));
    expect(await syncId(primary, m, 'a')).toBe('in-sync');
  });

  it('on-failure durability records only failures', async () => {
    const primary = memoryRepository<AccountT>(Account);
    const outbox = memoryOutbox();
    const mode = { v: 'ok' as 'ok' | 'fail' };
    const polyglot = createPolyglot({
      outbox,
      entities: {
        accounts: {
          primary,
          secondary: flaky(memoryMirror<AccountT>(Account), { mode: () => mode.v }),
          phase: 'DualWrite',
          durability: 'on-failure',
        },
      },
    });
    await polyglot.repositories.accounts.add(account('a'));
    expect(outbox.size).toBe(0);
    mode.v = 'fail';
    await polyglot.repositories.accounts.add(account('b'));
    expect(outbox.size).toBe(1);
  });

  it('an outbox that is down degrades to recording failures later, and says so', async () => {
    const primary = memoryRepository<AccountT>(Account);
    const outbox = memoryOutbox();
    let down = true;
    const broken = {
      ...outbox,
      append: (r: Parameters<typeof outbox.append>[0]) =>
        down ? Promise.reject(new Error('outbox down')) : outbox.append(r),
      complete: outbox.complete.bind(outbox),
      claim: outbox.claim.bind(outbox),
      retry: outbox.retry.bind(outbox),
      pending: outbox.pending.bind(outbox),
      stats: outbox.stats.bind(outbox),
    };
    const polyglot = createPolyglot({
      outbox: broken,
      entities: {
        accounts: {
          primary,
          secondary: flaky(memoryMirror<AccountT>(Account), { mode: () => 'fail' }),
          phase: 'DualWrite',
        },
      },
    });
    const events: unknown[] = [];
    polyglot.on('outbox-unavailable', (e) => events.push(e));
    await polyglot.repositories.accounts.add(account('a'));
    expect(events.length).toBeGreaterThan(0);
    down = false;
    await polyglot.settled();
    expect(outbox.size).toBe(1);
  });
});

describe('phases', () => {
  it('routes reads and writes by phase and emits phase events', async () => {
    const { repo, primary, inner, polyglot } = setup({ phase: 'PrimaryOnly' });
    const seen: PolyglotEvents['phase'][] = [];
    polyglot.on('phase', (e) => seen.push(e));
    await repo.add(account('p'));
    expect(await inner.repository.getById('p')).toBeUndefined();
    await polyglot.setPhase('accounts', 'DualWritePrimaryRead');
    await repo.add(account('d'));
    expect(await inner.repository.getById('d')).toBeDefined();
    await polyglot.backfill('accounts');
    await polyglot.setPhase('accounts', 'DualWriteSecondaryRead');
    await primary.update({ ...(await primary.getById('p'))!, name: 'only in primary' });
    expect((await repo.getById('p'))?.name).toBe('n-p'); // answered by the secondary
    await polyglot.setPhase('accounts', 'SecondaryOnly');
    await repo.add(account('s'));
    expect(await primary.getById('s')).toBeUndefined();
    expect(seen.map((e) => e.to)).toEqual([
      'DualWritePrimaryRead',
      'DualWriteSecondaryRead',
      'SecondaryOnly',
    ]);
    await expect(polyglot.setPhase('accounts', 'DualWrite')).rejects.toBeInstanceOf(
      PhaseChangeError,
    );
    expect(polyglot.phase('accounts')).toBe('SecondaryOnly');
  });

  it('runs aggregates on the store reads come from', async () => {
    const { repo, primary, polyglot } = setup({ phase: 'DualWritePrimaryRead' });
    await repo.addMany([account('a', { balance: 5 }), account('b', { balance: 7 })]);
    const total = spec(Account).sum('balance');
    expect(await runAggregate(repo, total)).toBe(12);
    await polyglot.backfill('accounts');
    await polyglot.setPhase('accounts', 'DualWriteSecondaryRead');
    await primary.update({ ...(await primary.getById('a'))!, balance: 100 }); // primary only
    expect(await runAggregate(repo, total)).toBe(12); // answered by the secondary
    await polyglot.setPhase('accounts', 'DualWritePrimaryRead');
    expect(await runAggregate(repo, total)).toBe(107);
  });

  it('refuses phases that need a missing secondary, and unknown entities', async () => {
    const polyglot = createPolyglot({
      outbox: memoryOutbox(),
      entities: { accounts: { primary: memoryRepository<AccountT>(Account) } },
    });
    await expect(polyglot.setPhase('accounts', 'DualWrite')).rejects.toBeInstanceOf(
      PhaseChangeError,
    );
    expect(() => polyglot.phase('nope')).toThrow(PolyglotConfigError);
    const NoVersion = entity('nv', { id: field.string() }, { id: 'id' });
    expect(() =>
      createPolyglot({
        outbox: memoryOutbox(),
        entities: {
          nv: { primary: memoryRepository(NoVersion), secondary: memoryMirror(NoVersion) },
        },
      }),
    ).toThrow(PolyglotConfigError);
  });

  it('switching to a secondary-read phase drains the outbox first', async () => {
    const { repo, inner, polyglot, mode } = setup();
    mode.current = 'fail';
    await repo.add(account('a'));
    mode.current = 'ok';
    await polyglot.setPhase('accounts', 'DualWriteSecondaryRead');
    expect(await inner.repository.getById('a')).toBeDefined();
    expect((await polyglot.metrics()).accounts!.outbox.depth).toBe(0);
  });

  it('reads go to the primary while this process knows ids are behind', async () => {
    const { repo, polyglot, mode } = setup();
    await polyglot.setPhase('accounts', 'DualWriteSecondaryRead');
    mode.current = 'fail';
    await repo.add(account('a'));
    expect(await repo.getById('a')).toBeDefined();
    mode.current = 'ok';
    await polyglot.replayer().drain({ ignoreSchedule: true });
    expect((await polyglot.metrics()).accounts!.behind).toBe(0);
  });
});

describe('shared phases', () => {
  it('instances follow the phases another instance records (syncPhases, watchPhases)', async () => {
    const phases = new MemoryPhaseStore();
    const primary = memoryRepository<AccountT>(Account);
    const secondary = memoryMirror<AccountT>(Account);
    const outbox = memoryOutbox();
    const make = () =>
      createPolyglot({
        outbox,
        phases,
        entities: { accounts: { primary, secondary, phase: 'PrimaryOnly' } },
      });
    const a = make();
    const b = make();
    await a.setPhase('accounts', 'DualWritePrimaryRead');
    expect(await phases.load()).toEqual({ accounts: 'DualWritePrimaryRead' });
    expect(b.phase('accounts')).toBe('PrimaryOnly');
    expect(await b.syncPhases()).toEqual(['accounts']);
    expect(b.phase('accounts')).toBe('DualWritePrimaryRead');
    expect(await b.syncPhases()).toEqual([]);
    const stop = b.watchPhases({ intervalMs: 5 });
    await a.setPhase('accounts', 'DualWriteSecondaryRead');
    for (let i = 0; i < 100 && b.phase('accounts') !== 'DualWriteSecondaryRead'; i++)
      await new Promise((r) => setTimeout(r, 5));
    stop();
    expect(b.phase('accounts')).toBe('DualWriteSecondaryRead');
  });
});

describe('shadow reads', () => {
  it('return the phase answer and record mismatches with field diffs and timings', async () => {
    const { repo, inner, polyglot } = setup({ shadow: true });
    await repo.add(account('a', { tags: ['x'] }));
    await inner.put(account('a', { tags: ['y'], version: 1 }), 1, {
      expect: { version: 1, deleted: false },
    });
    const mismatches: PolyglotEvents['mismatch'][] = [];
    polyglot.on('mismatch', (e) => mismatches.push(e));
    expect((await repo.getById('a'))?.tags).toEqual(['x']);
    await repo.getMany(['a', 'zz']);
    await repo.list(everyItem);
    await polyglot.settled();
    expect(mismatches).toHaveLength(3);
    expect(mismatches[0]!.diffs).toEqual([
      { path: 'tags[0]', primary: 'x', secondary: 'y', kind: 'different' },
    ]);
    const m = (await polyglot.metrics()).accounts!;
    expect(m.counters.shadowReads).toBe(3);
    expect(m.counters.mismatches).toBe(3);
    expect(m.shadowPrimaryLatency.count).toBe(3);
  });
});

describe('backfill', () => {
  it('copies in batches with a checkpoint, resumes after an abort, repeats at most one batch', async () => {
    const primary = memoryRepository<AccountT>(Account);
    await primary.addMany(
      Array.from({ length: 250 }, (_, i) => account(`a${String(i).padStart(3, '0')}`)),
    );
    const inner = memoryMirror<AccountT>(Account);
    let puts = 0;
    let batches = 0;
    const ctl = new AbortController();
    const counting = { ...flaky(inner, { mode: () => 'ok' }) };
    const putMany = counting.putMany;
    counting.putMany = async (entries, o) => {
      puts += entries.length;
      if (++batches === 3) ctl.abort(new Error('killed'));
      return putMany(entries, o);
    };
    const polyglot = createPolyglot({
      outbox: memoryOutbox(),
      entities: { accounts: { primary, secondary: counting, phase: 'DualWritePrimaryRead' } },
    });
    const checkpoints = new MemoryCheckpointStore();
    await expect(
      polyglot.backfill('accounts', { batchSize: 40, checkpoints, signal: ctl.signal }),
    ).rejects.toThrow();
    const cp = await checkpoints.load('backfill:accounts');
    expect(cp?.scanned).toBeGreaterThanOrEqual(80);
    const progress: number[] = [];
    const done = await polyglot.backfill('accounts', {
      batchSize: 40,
      checkpoints,
      onProgress: (p) => progress.push(p.scanned),
    });
    expect(done.done).toBe(true);
    expect(done.scanned).toBe(250);
    expect(puts).toBeLessThanOrEqual(250 + 40);
    expect((await polyglot.verify('accounts')).differences).toBe(0);
    expect(progress.at(-1)).toBe(250);
    // A finished run stays finished.
    expect((await polyglot.backfill('accounts', { checkpoints })).scanned).toBe(250);
  });

  it('dry-run counts without writing; rate limit paces with the injected clock', async () => {
    const { primary, inner, polyglot } = setup({ phase: 'DualWritePrimaryRead' });
    await primary.addMany(Array.from({ length: 30 }, (_, i) => account(`b${i}`)));
    const dry = await polyglot.backfill('accounts', { dryRun: true, batchSize: 7 });
    expect(dry.copied).toBe(30);
    expect(await inner.repository.getById('b1')).toBeUndefined();
    let clock = 0;
    const slept: number[] = [];
    const res = await polyglot.backfill('accounts', {
      batchSize: 10,
      ratePerSecond: 10,
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    expect(res.copied).toBe(30);
    // Three full pages, then an empty one: three waits of one second each.
    expect(slept).toEqual([1000, 1000, 1000]);
    expect(res.ratePerSecond).toBe(10);
    // Already there: a second run skips everything.
    expect((await polyglot.backfill('accounts', { restart: true })).skipped).toBe(30);
  });
});

describe('verification', () => {
  it('reports missing, extra and different ids, full and sampled, and queues repairs', async () => {
    const { primary, inner, polyglot, outbox } = setup();
    await primary.addMany([account('a'), account('b'), account('c', { name: 'p' })]);
    await inner.put(account('b'), 1);
    await inner.put(account('c', { name: 's' }), 1);
    await inner.put(account('x'), 1);
    const one = await polyglot.validateConsistency('accounts', 'c');
    expect(one.status).toBe('different');
    expect(one.diffs).toEqual([{ path: 'name', primary: 'p', secondary: 's', kind: 'different' }]);
    expect((await polyglot.validateConsistency('accounts', 'a')).status).toBe(
      'missing-in-secondary',
    );
    const full = await polyglot.verify('accounts', { repair: true });
    expect([full.missing, full.extra, full.different, full.differences]).toEqual([1, 1, 1, 3]);
    expect(full.missingIds).toEqual(['a']);
    expect(full.extraIds).toEqual(['x']);
    expect(outbox.size).toBe(3);
    const sampled = await polyglot.verify('accounts', { sampleRate: 0.999, random: () => 0.5 });
    expect(sampled.sampled).toBe(true);
    expect(sampled.differences).toBe(3);
    await polyglot.replayer().drain({ ignoreSchedule: true });
    expect((await polyglot.verify('accounts')).differences).toBe(0);
  });

  it('diffs: nested paths, arrays, missing vs null', () => {
    expect(diffItems({ a: { b: 1 }, c: [1, 2] }, { a: { b: 2 }, c: [1], d: null })).toEqual([
      { path: 'a.b', primary: 1, secondary: 2, kind: 'different' },
      { path: 'c[1]', primary: 2, secondary: undefined, kind: 'missing-in-secondary' },
      { path: 'd', primary: undefined, secondary: null, kind: 'missing-in-primary' },
    ]);
    expect(compareIds('\uffff', '\u{10000}')).toBeLessThan(0);
    expect(compareIds(2, 10)).toBeLessThan(0);
  });
});

describe('tombstones, health, backoff', () => {
  it('purges tombstones only when both stores agree the item is gone', async () => {
    const { repo, polyglot, inner, primary } = setup();
    await repo.add(account('a'));
    await repo.delete('a');
    await repo.add(account('b'));
    await inner.remove('b', 1);
    await polyglot.settled();
    expect(await polyglot.purgeTombstones('accounts', { olderThanMs: -1 })).toBe(1);
    expect(await inner.head('a')).toBeUndefined();
    expect(await inner.head('b')).toEqual({ version: 1, deleted: true });
    expect(await primary.getById('b')).toBeDefined();
  });

  it('health checks per backend plus the outbox', async () => {
    const { polyglot } = setup();
    const checks = polyglot.healthChecks();
    expect(checks.map((c) => [c.name, c.critical])).toEqual([
      ['polyglot.accounts.primary', true],
      ['polyglot.accounts.secondary', false],
      ['polyglot.outbox', false],
    ]);
    for (const c of checks)
      expect((await c.check({ signal: new AbortController().signal }))?.status).toBe('healthy');
  });

  it('backoff grows exponentially with full jitter and a cap', () => {
    expect(backoffDelay(0, {}, () => 0.999)).toBe(199);
    expect(backoffDelay(3, {}, () => 0.5)).toBe(800);
    expect(backoffDelay(40, { maxMs: 1000 }, () => 0.5)).toBe(500);
  });
});
