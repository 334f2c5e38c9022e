/**
 * @mystira/polyglot/otel: OpenTelemetry for the polyglot layer: spans for a binding's secondary
 * (`tracedMirror`) and the outbox and replay metrics of a registry (`observePolyglot`). A
 * polyglot repository itself is traced with `tracedRepository` of `@mystira/repository/otel`,
 * which reads its `decorator` (spans `polyglot.<operation>` with the phase).
 *
 * A separate entry because `@opentelemetry/api` is an optional peer dependency: the main entry
 * never imports it.
 *
 * @packageDocumentation
 */
import type { EntityMetricsSnapshot, MirrorStore } from '@mystira/polyglot';
import type { CallOptions, Repository } from '@mystira/repository';
import {
  type TracedRepositoryOptions,
  tracedMethods,
  tracedRepository,
} from '@mystira/repository/otel';
import { type BatchObservableResult, type Meter, metrics } from '@opentelemetry/api';

/**
 * Wraps the secondary of a polyglot binding: `put`/`putMany`/`remove`/`head`/`heads` become
 * spans (`mirror.put <collection>`, ...) with the gate's answer as `mystira.mirror.result`, and
 * its `repository` is wrapped with `tracedRepository`. Pass the result as the binding's
 * `secondary`, so a polyglot write's span has the primary and the secondary call as children.
 */
export function tracedMirror<T extends object, M extends MirrorStore<T>>(
  mirror: M,
  options: TracedRepositoryOptions = {},
): M {
  const result = (r: unknown) => ({ 'mystira.mirror.result': String(r) });
  // Operations are named `mirror.put` etc. with or without a backend, so no extra prefix.
  return tracedMethods(
    mirror,
    {
      entity: mirror.entity.name,
      backend: mirror.repository.backend,
      prefix: '',
      system: 'mystira.mirror',
    },
    [
      { method: 'head', optionsAt: 1, operation: 'mirror.head' },
      { method: 'heads', optionsAt: 1, operation: 'mirror.heads' },
      { method: 'put', optionsAt: 2, operation: 'mirror.put', resultAttributes: result },
      { method: 'putMany', optionsAt: 1, operation: 'mirror.putMany' },
      { method: 'remove', optionsAt: 2, operation: 'mirror.remove', resultAttributes: result },
    ],
    options,
    new Map([['repository', tracedRepository<T, Repository<T>>(mirror.repository, options)]]),
  );
}

/** Options of {@link observePolyglot}. */
export interface PolyglotMetricsOptions {
  /** Default `metrics.getMeter('@mystira/polyglot')`. */
  meter?: Meter;
}

/** An instrument of {@link observePolyglot} and what it reads from an entity's metrics. */
interface Instrument {
  readonly kind: 'gauge' | 'counter';
  readonly name: string;
  readonly description: string;
  /** Gauges only. */
  readonly unit?: string;
  readonly read: (m: EntityMetricsSnapshot) => number;
}

const INSTRUMENTS: readonly Instrument[] = [
  {
    kind: 'gauge',
    name: 'mystira.outbox.depth',
    description: 'Entries waiting in the polyglot outbox',
    unit: '{entry}',
    read: (m) => m.outbox.depth,
  },
  {
    kind: 'gauge',
    name: 'mystira.outbox.due',
    description: 'Outbox entries due for replay now and not leased',
    unit: '{entry}',
    read: (m) => m.outbox.due,
  },
  {
    kind: 'gauge',
    name: 'mystira.outbox.oldest_age',
    description: 'Age of the oldest outbox entry (0 when empty)',
    unit: 's',
    read: (m) => (m.outbox.oldestAgeMs ?? 0) / 1000,
  },
  {
    kind: 'gauge',
    name: 'mystira.polyglot.behind',
    description: 'Ids this process knows to be behind in the secondary',
    unit: '{item}',
    read: (m) => m.behind,
  },
  {
    kind: 'counter',
    name: 'mystira.outbox.replays',
    description: 'Outbox entries replayed',
    read: (m) => m.counters.replays,
  },
  {
    kind: 'counter',
    name: 'mystira.outbox.replay_repairs',
    description: 'Replays that changed the secondary',
    read: (m) => m.counters.replayRepairs,
  },
  {
    kind: 'counter',
    name: 'mystira.outbox.replay_failures',
    description: 'Replays that failed and were rescheduled',
    read: (m) => m.counters.replayFailures,
  },
  {
    kind: 'counter',
    name: 'mystira.polyglot.secondary_failures',
    description: 'Secondary writes that failed or timed out',
    read: (m) => m.counters.secondaryFailures,
  },
];

/**
 * Observable metrics of a polyglot registry, read from `polyglot.metrics()` at each collection
 * (one outbox `stats` query per entity, so nothing is counted on the write path):
 * gauges `mystira.outbox.depth`, `mystira.outbox.due`, `mystira.outbox.oldest_age` (s, 0 when
 * empty), `mystira.polyglot.behind`, and counters `mystira.outbox.replays`,
 * `mystira.outbox.replay_repairs`, `mystira.outbox.replay_failures`,
 * `mystira.polyglot.secondary_failures`, all with a `mystira.entity` attribute. When the outbox
 * cannot be read the collection reports nothing rather than failing the export.
 * Returns a disposable that stops observing.
 */
export function observePolyglot(
  polyglot: { metrics(options?: CallOptions): Promise<Record<string, EntityMetricsSnapshot>> },
  options: PolyglotMetricsOptions = {},
): {
  /** Stops observing: the instruments report nothing more for this registry. */
  dispose(): void;
} {
  const meter = options.meter ?? metrics.getMeter('@mystira/polyglot');
  const instruments = INSTRUMENTS.map(({ kind, name, description, unit, read }) => ({
    read,
    observable:
      kind === 'gauge'
        ? meter.createObservableGauge(name, { description, unit })
        : meter.createObservableCounter(name, { description }),
  }));
  const observables = instruments.map((i) => i.observable);
  const callback = async (result: BatchObservableResult) => {
    let snapshot: Record<string, EntityMetricsSnapshot>;
    try {
      snapshot = await polyglot.metrics();
    } catch {
      return;
    }
    for (const [entity, m] of Object.entries(snapshot)) {
      const a = { 'mystira.entity': entity };
      for (const { observable, read } of instruments) result.observe(observable, read(m), a);
    }
  };
  meter.addBatchObservableCallback(callback, observables);
  return {
    dispose() {
      meter.removeBatchObservableCallback(callback, observables);
    },
  };
}
