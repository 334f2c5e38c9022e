/** What the span processor and its export worker say to each other (src/off-thread-spans.ts). */
import type { Attributes } from '@opentelemetry/api';

/** What the worker starts with. */
export interface WorkerData {
  url: string;
  headers: Record<string, string>;
  resourceAttributes: Attributes;
  resourceSchemaUrl: string | undefined;
}

export type ToWorker =
  /** A batch of ended spans, as SpanEncoder (src/span-records.ts) writes it. */
  | { type: 'spans'; spans: string; count: number }
  /** Answer `flushed` once every export started before this message has ended. */
  | { type: 'flush'; id: number }
  /** Flush, then shut the exporter down, then answer `flushed`. */
  | { type: 'shutdown'; id: number };

export type FromWorker =
  | { type: 'done'; spans: number; ok: boolean }
  | { type: 'flushed'; id: number };
