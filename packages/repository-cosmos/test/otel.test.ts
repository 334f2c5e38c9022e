/**
 * OpenTelemetry over the in-process cosmosdb-server: the adapter reports each call's request
 * charge, round trips and activity id through `CallOptions.observe`, and `tracedRepository`
 * puts them on CLIENT spans with `db.system = cosmosdb`.
 */
import type { CallObservation } from '@mystira/repository';
import { tracedRepository } from '@mystira/repository/otel';
import { CosmosRepository } from '@mystira/repository-cosmos';
import { entity, field, type Infer, spec } from '@mystira/specification';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { beforeAll, expect, it } from 'vitest';
import { useOtelRecorder } from '../../../test-support/otel-recorder.js';
import { useCosmos } from './cosmos.js';

const Note = entity(
  'notes',
  { id: field.string(), tenant: field.string(), words: field.number() },
  { id: 'id', partitionKey: 'tenant' },
);
type NoteT = Infer<typeof Note>;

const otel = useOtelRecorder();
const cosmos = useCosmos();
let plain: CosmosRepository<NoteT>;

beforeAll(async () => {
  const container = await cosmos.container(Note, 'notes');
  plain = new CosmosRepository<NoteT>(Note, { container, profile: cosmos.profile, retry: false });
});

it('reports request charge, round trips and activity id per call through observe', async () => {
  const facts: CallObservation[] = [];
  await plain.add({ id: 'n0', tenant: 'a', words: 3 }, { observe: (f) => facts.push(f) });
  expect(facts).toHaveLength(1);
  expect(facts[0]!.requestCharge).toBeGreaterThan(0);
  expect(facts[0]!.requests).toBe(1);
  expect(typeof facts[0]!.activityId).toBe('string');
});

it('Cosmos calls are CLIENT spans with db.* attributes and the RU charge, children of the active span', async () => {
  otel.reset();
  const repo = tracedRepository(plain, otel.options);
  const parent = otel.tracer.startSpan('request');
  await context.with(trace.setSpan(context.active(), parent), async () => {
    await repo.add({ id: 'n1', tenant: 'a', words: 10 });
    await repo.getById('n1', { partitionKey: 'a' });
    await repo.list(spec(Note).where((w) => w.gte('words', 5)));
    await expect(repo.add({ id: 'n1', tenant: 'a', words: 1 })).rejects.toThrow();
  });
  parent.end();
  const spans = (await otel.spans()).filter((s) => s.name !== 'request');
  expect(spans.map((s) => s.name)).toEqual([
    `add ${plain.container.id}`,
    `getById ${plain.container.id}`,
    `list ${plain.container.id}`,
    `add ${plain.container.id}`,
  ]);
  for (const s of spans) {
    expect(s.kind).toBe(SpanKind.CLIENT);
    expect(s.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(s.attributes).toMatchObject({
      'db.system': 'cosmosdb',
      'db.system.name': 'azure.cosmosdb',
      'db.namespace': cosmos.database.id,
      'db.collection.name': plain.container.id,
    });
    expect(s.attributes['db.cosmosdb.request_charge']).toBeGreaterThan(0);
    expect(s.attributes['mystira.db.round_trips']).toBeGreaterThanOrEqual(1);
  }
  expect(spans[2]!.attributes['mystira.spec.hash']).toMatch(/^[0-9a-f]{64}$/);
  expect(spans[2]!.attributes['db.cosmosdb.cross_partition']).toBe(true);
  expect(spans[3]!.status.code).toBe(SpanStatusCode.ERROR);
  expect(spans[3]!.attributes['error.type']).toBe('ALREADY_EXISTS');
  // Pass-through of the adapter's own members.
  expect(repo.profile).toBe(plain.profile);
});
