/**
 * A metric reader that a test pulls from: no export timer, cumulative temporality, and `metric()`
 * to collect every instrument at the moment the test asks and pick one by name. For tests that
 * build their own MeterProvider (see otel-recorder.ts for a whole in-memory SDK).
 */
import { AggregationTemporality, type MetricData, MetricReader } from '@opentelemetry/sdk-metrics';

export class PullMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }

  /** Collects now and returns the data of the instrument called `name`, if it has recorded. */
  async metric(name: string): Promise<MetricData | undefined> {
    const { resourceMetrics } = await this.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === name);
  }

  // Nothing is buffered or exported, so there is nothing to flush or release.
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}
