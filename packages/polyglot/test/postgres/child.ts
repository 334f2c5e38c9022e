/**
 * The process the crash tests SIGKILL. Self-contained (imports packages by name only), run by
 * Node 24 directly. MODE=writes: an endless stream of random writes through the polyglot
 * repository, printing "op <n>" after each; MODE=backfill: a backfill with a PostgreSQL
 * checkpoint, printing "batch <n>" after each checkpointed batch.
 */

import { createPolyglot } from '@mystira/polyglot';
import { PgCheckpointStore, postgresMirror, postgresOutbox } from '@mystira/polyglot/postgres';
import { AlreadyExistsError, ConcurrencyError, NotFoundError } from '@mystira/repository';
import { createDatabase, PostgresRepository } from '@mystira/repository-postgres';
import { entity, field } from '@mystira/specification';

const env = process.env;
const schema = env.SCHEMA!;
const Account = entity(
  'accounts',
  {
    id: field.string(),
    version: field.number(),
    name: field.string(),
    balance: field.number(),
    tags: field.array(field.string()),
  },
  { id: 'id', version: 'version' },
);
type A = { id: string; version: number; name: string; balance: number; tags: string[] };
const db = createDatabase({
  primary: {
    host: '127.0.0.1',
    port: Number(env.PGPORT ?? 5432),
    user: 'postgres',
    database: 'test',
  },
  max: 8,
});
const primary = new PostgresRepository<A>(db, Account, { schema, table: 'primary_accounts' });
const mirror = postgresMirror(
  db,
  new PostgresRepository<A>(db, Account, { schema, table: 'secondary_accounts' }),
);
const polyglot = createPolyglot({
  outbox: postgresOutbox(db, { schema }),
  entities: {
    accounts: {
      primary,
      secondary: mirror,
      phase: 'DualWritePrimaryRead',
      secondaryTimeoutMs: 1000,
    },
  },
});
const out = (line: string) => process.stdout.write(`${line}\n`);

if (env.MODE === 'backfill') {
  await polyglot.backfill('accounts', {
    checkpoints: new PgCheckpointStore(db, { schema }),
    batchSize: Number(env.BATCH ?? 200),
    onProgress: (p) => out(`batch ${p.batches} ${p.scanned}`),
  });
  out('done');
} else {
  let a = Number(env.SEED ?? 1) >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const repo = polyglot.repositories.accounts;
  let n = 0;
  const worker = async () => {
    for (;;) {
      const id = `acc${String(Math.floor(random() * 200)).padStart(4, '0')}`;
      const r = random();
      try {
        if (r < 0.3) await repo.add({ id, version: 1, name: `a${n}`, balance: n, tags: [] });
        else if (r < 0.55)
          await repo.upsert({ id, version: 1, name: `u${n}`, balance: n, tags: ['u'] });
        else if (r < 0.8) {
          const cur = await repo.getById(id);
          if (cur) await repo.update({ ...cur, balance: cur.balance + 1 });
        } else await repo.delete(id);
      } catch (err) {
        if (
          !(
            err instanceof AlreadyExistsError ||
            err instanceof NotFoundError ||
            err instanceof ConcurrencyError
          )
        ) {
          out(`failed ${(err as Error).name}: ${(err as Error).message}`);
        }
      }
      out(`op ${++n}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}
