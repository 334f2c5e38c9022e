/**
 * OpenTelemetry over the real PostgreSQL (own schema): CLIENT spans with the PostgreSQL facts the
 * adapter reports (namespace, table, statement, row count). The polyglot layer's spans over
 * PostgreSQL are tested in @mystira/polyglot.
 */
import { tracedRepository } from '@mystira/repository/otel';
import { createTableStatements, PostgresRepository } from '@mystira/repository-postgres';
import { entity, field, type Infer, spec } from '@mystira/specification';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { beforeAll, expect, it } from 'vitest';
import { useOtelRecorder } from '../../../test-support/otel-recorder.js';
import { useTestDatabase } from './helpers.js';

const Account = entity(
  'accounts',
  {
    id: field.string(),
    version: field.number(),
    balance: field.number(),
  },
  { id: 'id', version: 'version' },
);
type AccountT = Infer<typeof Account>;
const account = (id: string, patch: Partial<AccountT> = {}): AccountT => ({
  id,
  version: 1,
  balance: 0,
  ...patch,
});

const otel = useOtelRecorder();
const t = useTestDatabase('pgotel');
let schema: string;
let primary: PostgresRepository<AccountT>;

beforeAll(async () => {
  schema = t.schema;
  primary = new PostgresRepository<AccountT>(t.db, Account, { schema, table: 'primary_accounts' });
  for (const s of createTableStatements(primary.mapping)) await t.db.query(s);
});

it('PostgreSQL calls are CLIENT spans with db.namespace, table, statement and row count', async () => {
  otel.reset();
  const repo = tracedRepository(primary, otel.options);
  const parent = otel.tracer.startSpan('request');
  await context.with(trace.setSpan(context.active(), parent), async () => {
    await repo.upsert(account('pg1', { balance: 3 }));
    await repo.upsert(account('pg2', { balance: 9 }));
    expect(await repo.list(spec(Account).where((w) => w.gt('balance', 1)))).toHaveLength(2);
  });
  parent.end();
  const list = (await otel.named('list primary_accounts'))[0]!;
  expect(list.kind).toBe(SpanKind.CLIENT);
  expect(list.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  expect(list.attributes).toMatchObject({
    'db.system': 'postgresql',
    'db.system.name': 'postgresql',
    'db.namespace': schema,
    'db.collection.name': 'primary_accounts',
    'db.operation.name': 'list',
    'db.query.summary': 'SELECT primary_accounts',
    'db.response.returned_rows': 2,
  });
  expect(list.attributes['mystira.spec.hash']).toMatch(/^[0-9a-f]{64}$/);
  const upsert = (await otel.named('upsert primary_accounts'))[0]!;
  expect(upsert.attributes['db.query.summary']).toBe('INSERT primary_accounts');
});
