/**
 * The worker thread behind {@link OffThreadSpanProcessor} (src/off-thread-spans.ts): it rebuilds
 * the batches of span records it is sent and exports them over OTLP (http/protobuf), so the
 * protobuf serialization and the HTTP request of an export run on this thread, not on the event
 * loop serving calls. It answers every batch (`done`, with how many spans were in it) and every
 * flush once the exports started before it have ended.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { InstrumentationScope } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ToWorker, WorkerData } from './span-export-messages.ts';
import { decodeSpans } from './span-records.ts';

const port = parentPort;
if (!port) throw new Error('span-export-worker.ts runs as a worker thread');
const { url, headers, resourceAttributes, resourceSchemaUrl } = workerData as WorkerData;
const exporter = new OTLPTraceExporter({ url, headers });
const resource = resourceFromAttributes(resourceAttributes, { schemaUrl: resourceSchemaUrl });
const scopes = new Map<string, InstrumentationScope>();
const exporting = new Set<Promise<void>>();

function exportBatch(batch: ToWorker & { type: 'spans' }): void {
  const spans = decodeSpans(batch.spans, resource, scopes);
  const done = new Promise<void>((resolve) => {
    exporter.export(spans, (result) => {
      // A failed export is dropped, as BatchSpanProcessor drops it; the exporter reports why.
      port?.postMessage({ type: 'done', spans: spans.length, ok: result.code === 0 });
      resolve();
    });
  });
  exporting.add(done);
  void done.then(() => exporting.delete(done));
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'spans':
      exportBatch(message);
      return;
    case 'flush':
      void Promise.all(exporting).then(() => port.postMessage({ type: 'flushed', id: message.id }));
      return;
    case 'shutdown':
      void Promise.all(exporting)
        .then(() => exporter.shutdown())
        .finally(() => port.postMessage({ type: 'flushed', id: message.id }));
      return;
  }
});
