/**
 * The polyglot layer's OpenTelemetry over the real PostgreSQL (own schema): a polyglot write whose
 * primary and mirror spans are children of its span, and the outbox gauges moving while the
 * secondary is down (behind a TCP proxy) and after the replay.
 */
import { observePolyglot, tracedMirror } from '@mystira/polyglot/otel';
import { tracedRepository } from '@mystira/repository/otel';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useOtelRecorder } from '../../../../test-support/otel-recorder.js';
import {
  account,
  accountPair,
  database,
  dualWriteAccounts,
  FaultProxy,
  migratePair,
  PG,
  randomSchema,
} from './helpers.js';

const otel = useOtelRecorder();
const schema = randomSchema('pgotel');
const direct = database();
let proxy: FaultProxy;
let viaProxy: ReturnType<typeof database>;
let pair: ReturnType<typeof accountPair>;

beforeAll(async () => {
  proxy = await new FaultProxy(PG).listen();
  viaProxy = database({ port: proxy.port, statementTimeoutMs: 5000, connectionTimeoutMs: 1000 });
  await direct.query(`CREATE SCHEMA "${schema}"`);
  pair = accountPair(direct, schema, viaProxy);
  await migratePair(direct, pair);
});
afterAll(async () => {
  await viaProxy?.close().catch(() => {});
  await proxy?.close();
  await direct.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await direct.close();
});

it('polyglot: the write span has the primary and mirror spans as children; outbox gauges follow an outage', async () => {
  const { primary, mirror, outbox } = pair;
  const polyglot = dualWriteAccounts(
    outbox,
    tracedRepository(primary, otel.options),
    tracedMirror(mirror, otel.options),
    500,
  );
  const repo = tracedRepository(polyglot.repositories.accounts, otel.options);
  const observer = observePolyglot(polyglot, { meter: otel.meter });
  const gauge = async (name: string) =>
    (await otel.points(name)).find((p) => p.attributes['mystira.entity'] === 'accounts')?.value;

  otel.reset();
  await repo.add(account('poly1'));
  await polyglot.settled();
  const write = (await otel.named('polyglot.add accounts'))[0]!;
  const children = (await otel.spans()).filter(
    (s) => s.parentSpanContext?.spanId === write.spanContext().spanId,
  );
  expect(children.map((s) => s.name)).toEqual(
    expect.arrayContaining(['add primary_accounts', 'mirror.put secondary_accounts']),
  );
  const put = children.find((s) => s.name === 'mirror.put secondary_accounts')!;
  expect(put.kind).toBe(SpanKind.CLIENT);
  expect(put.attributes['mystira.mirror.result']).toBe('applied');
  expect(await gauge('mystira.outbox.depth')).toBe(0);

  proxy.down();
  for (let i = 0; i < 5; i++) await repo.add(account(`down${i}`));
  await polyglot.settled();
  expect(await gauge('mystira.outbox.depth')).toBe(5);
  expect(await gauge('mystira.outbox.oldest_age')).toBeGreaterThan(0);
  expect(await gauge('mystira.polyglot.secondary_failures')).toBe(5);
  const failedPut = (await otel.named('mirror.put secondary_accounts')).find(
    (s) => s.attributes['error.type'] !== undefined,
  );
  expect(failedPut).toBeDefined();

  proxy.up();
  await polyglot.replayer({ leaseMs: 5000 }).drain({ ignoreSchedule: true });
  expect(await gauge('mystira.outbox.depth')).toBe(0);
  expect(await gauge('mystira.outbox.replays')).toBeGreaterThanOrEqual(5);
  observer.dispose();
});
