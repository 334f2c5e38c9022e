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
import {
  type BatchObservableResult,
  type Meter,
  metrics,
  type ObservableCounter,
  type ObservableGauge,
} from '@opentelemetry/api';

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
  const gauges: Record<string, ObservableGauge> = {
    depth: meter.createObservableGauge('mystira.outbox.depth', {
      description: 'Entries waiting in the polyglot outbox',
      unit: '{entry}',
    }),
    due: meter.createObservableGauge('mystira.outbox.due', {
      description: 'Outbox entries due for replay now and not leased',
      unit: '{entry}',
    }),
    age: meter.createObservableGauge('mystira.outbox.oldest_age', {
      description: 'Age of the oldest outbox entry (0 when empty)',
      unit: 's',
    }),
    behind: meter.createObservableGauge('mystira.polyglot.behind', {
      description: 'Ids this process knows to be behind in the secondary',
      unit: '{item}',
    }),
  };
  const counters: Record<string, ObservableCounter> = {
    replays: meter.createObservableCounter('mystira.outbox.replays', {
      description: 'Outbox entries replayed',
    }),
    repairs: meter.createObservableCounter('mystira.outbox.replay_repairs', {
      description: 'Replays that changed the secondary',
    }),
    failures: meter.createObservableCounter('mystira.outbox.replay_failures', {
      description: 'Replays that failed and were rescheduled',
    }),
    secondaryFailures: meter.createObservableCounter('mystira.polyglot.secondary_failures', {
      description: 'Secondary writes that failed or timed out',
    }),
  };
  const observables = [...Object.values(gauges), ...Object.values(counters)];
  const callback = async (result: BatchObservableResult) => {
    let snapshot: Record<string, EntityMetricsSnapshot>;
    try {
      snapshot = await polyglot.metrics();
    } catch {
      return;
    }
    for (const [entity, m] of Object.entries(snapshot)) {
      const a = { 'mystira.entity': entity };
      result.observe(gauges.depth!, m.outbox.depth, a);
      result.observe(gauges.due!, m.outbox.due, a);
      result.observe(gauges.age!, (m.outbox.oldestAgeMs ?? 0) / 1000, a);
      result.observe(gauges.behind!, m.behind, a);
      result.observe(counters.replays!, m.counters.replays, a);
      result.observe(counters.repairs!, m.counters.replayRepairs, a);
      result.observe(counters.failures!, m.counters.replayFailures, a);
      result.observe(counters.secondaryFailures!, m.counters.secondaryFailures, a);
    }
  };
  meter.addBatchObservableCallback(callback, observables);
  return {
    dispose() {
      meter.removeBatchObservableCallback(callback, observables);
    },
  };
}
