import { gate, type MirrorResult, memoryMirror, removeGate } from '@mystira/polyglot';
import { postgresMirror, postgresOutbox, postgresPhases } from '@mystira/polyglot/postgres';
import { createTableStatements, PostgresRepository } from '@mystira/repository-postgres';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Account, type AccountT, account, database, useSchema } from './helpers.js';

const db = database({ max: 10 });
const schema = useSchema(db, 'pgo');

describe('PgOutbox', () => {
  it('appends in order, claims due entries with leases, completes only for the lease owner', async () => {
    const outbox = postgresOutbox(db, { schema, table: 'ob1' });
    await outbox.migrate();
    await outbox.migrate(); // idempotent
    const seqs = await outbox.append([
      { entity: 'accounts', id: 'a', reason: 'failure', version: 3, error: 'boom' },
      { entity: 'accounts', id: 7, reason: 'intent', delayMs: 60_000 },
      { entity: 'other', id: 'c', reason: 'repair' },
    ]);
    expect(seqs.map(BigInt)).toEqual([...seqs.map(BigInt)].sort((x, y) => (x < y ? -1 : 1)));
    expect(await outbox.stats()).toMatchObject({ depth: 3, due: 2 });
    expect(await outbox.pending('accounts', 7)).toBe(true);
    expect(await outbox.pending('accounts', '7')).toBe(false);
    const a = await outbox.claim({ owner: 'r1', limit: 10, leaseMs: 60_000, entity: 'accounts' });
    expect(a.map((e) => [e.id, e.reason, e.version, e.lastError])).toEqual([
      ['a', 'failure', 3, 'boom'],
    ]);
    expect(
      await outbox.claim({ owner: 'r2', limit: 10, leaseMs: 60_000, entity: 'accounts' }),
    ).toEqual([]);
    const early = await outbox.claim({
      owner: 'r2',
      limit: 10,
      leaseMs: 60_000,
      entity: 'accounts',
      ignoreSchedule: true,
    });
    expect(early.map((e) => e.id)).toEqual([7]);
    expect(await outbox.complete([a[0]!.seq], { owner: 'r2' })).toBe(0);
    expect(await outbox.complete([a[0]!.seq], { owner: 'r1' })).toBe(1);
    await outbox.retry(early[0]!.seq, { owner: 'r2', delayMs: 0, error: 'again' });
    const again = await outbox.claim({
      owner: 'r3',
      limit: 10,
      leaseMs: 60_000,
      entity: 'accounts',
    });
    expect(again.map((e) => [e.id, e.attempts, e.lastError])).toEqual([[7, 1, 'again']]);
    expect((await outbox.stats({ entity: 'other' })).depth).toBe(1);
  });

  it('an expired lease makes the entry claimable again', async () => {
    const outbox = postgresOutbox(db, { schema, table: 'ob2' });
    await outbox.migrate();
    await outbox.append([{ entity: 'e', id: 'x', reason: 'failure' }]);
    const [first] = await outbox.claim({ owner: 'dead', limit: 1, leaseMs: 1 });
    await new Promise((r) => setTimeout(r, 20));
    const [second] = await outbox.claim({ owner: 'alive', limit: 1, leaseMs: 60_000 });
    expect(second?.seq).toBe(first!.seq);
    expect(await outbox.complete([first!.seq], { owner: 'dead' })).toBe(0);
    expect(await outbox.complete([first!.seq], { owner: 'alive' })).toBe(1);
  });

  it('concurrent claimers (SKIP LOCKED) never get the same entry', async () => {
    const outbox = postgresOutbox(db, { schema, table: 'ob3' });
    await outbox.migrate();
    await outbox.append(
      Array.from({ length: 500 }, (_, i) => ({ entity: 'e', id: i, reason: 'failure' as const })),
    );
    const claimed = await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const got: string[] = [];
        for (;;) {
          const batch = await outbox.claim({ owner: `w${w}`, limit: 17, leaseMs: 60_000 });
          if (batch.length === 0) return got;
          got.push(...batch.map((e) => e.seq));
        }
      }),
    );
    const all = claimed.flat();
    expect(all.length).toBe(500);
    expect(new Set(all).size).toBe(500);
  });
});

describe('PgMirror', () => {
  it('agrees with the shared gate (and the memory mirror) on random put/remove sequences (property)', async () => {
    const second = new PostgresRepository<AccountT>(db, Account, { schema, table: 'mirror_prop' });
    for (const s of createTableStatements(second.mapping)) await db.query(s);
    const mirror = postgresMirror(db, second);
    await mirror.migrate();
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            kind: fc.constantFrom('put', 'remove', 'cas'),
            version: fc.integer({ min: 0, max: 6 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (ops) => {
          const id = `p${++round}`;
          const mem = memoryMirror<AccountT>(Account);
          for (const op of ops) {
            const item = account(id, { balance: op.version });
            let a: MirrorResult;
            let b: MirrorResult;
            if (op.kind === 'put') {
              a = await mirror.put(item, Math.max(1, op.version));
              b = await mem.put(item, Math.max(1, op.version));
            } else if (op.kind === 'remove') {
              a = await mirror.remove(id, op.version);
              b = await mem.remove(id, op.version);
            } else {
              const expect = (await mem.head(id)) ?? null;
              a = await mirror.put(item, Math.max(1, op.version), { expect });
              b = await mem.put(item, Math.max(1, op.version), { expect });
            }
            expect(a).toBe(b);
            expect(await mirror.head(id)).toEqual(await mem.head(id));
          }
          expect(await mirror.repository.getById(id)).toEqual(await mem.repository.getById(id));
        },
      ),
      { numRuns: 40 },
    );
    expect(gate(undefined, 1)).toBe('write');
    expect(removeGate(undefined, 1)).toBe('write');
    // 40 runs of several PostgreSQL round trips each: about 2 s alone, over 5 s on a busy machine.
  }, 30_000);

  it('concurrent puts of many versions of one id end at the highest version', async () => {
    const second = new PostgresRepository<AccountT>(db, Account, { schema, table: 'mirror_race' });
    for (const s of createTableStatements(second.mapping)) await db.query(s);
    const mirror = postgresMirror(db, second);
    await mirror.migrate();
    const versions = Array.from({ length: 40 }, (_, i) => ((i * 7919) % 40) + 1);
    const results = await Promise.all(
      versions.map((v) => mirror.put(account('r', { balance: v }), v)),
    );
    expect(results.filter((r) => r === 'applied').length).toBeGreaterThan(0);
    expect(await second.getById('r')).toEqual(account('r', { balance: 40, version: 40 }));
    const batch = await mirror.putMany([
      { item: account('m1'), version: 2 },
      { item: account('m1', { name: 'newer' }), version: 5 },
      { item: account('r'), version: 3 },
    ]);
    expect(batch).toEqual(['stale', 'applied', 'stale']);
    expect((await second.getById('m1'))?.name).toBe('newer');
    expect(
      await mirror.remove('m1', 5, { match: account('m1', { name: 'other generation' }) }),
    ).toBe('stale');
    expect(
      await mirror.remove('m1', 5, { match: account('m1', { name: 'newer', version: 5 }) }),
    ).toBe('applied');
    expect((await mirror.tombstones()).map((t) => [t.id, t.version])).toEqual([['m1', 5]]);
    expect(await mirror.purgeTombstone('m1', 4)).toBe(false);
    expect(await mirror.purgeTombstone('m1', 5)).toBe(true);
  });
});

describe('PgPhaseStore', () => {
  it('records and loads phases', async () => {
    const store = postgresPhases(db, { schema });
    await store.migrate();
    expect(await store.load()).toEqual({});
    await store.save('accounts', 'DualWrite');
    await store.save('accounts', 'SecondaryOnly');
    await store.save('orders', 'PrimaryOnly');
    expect(await store.load()).toEqual({ accounts: 'SecondaryOnly', orders: 'PrimaryOnly' });
  });
});
