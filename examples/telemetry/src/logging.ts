/**
 * Structured logs carrying trace ids: a pino `mixin` that adds the active span's `trace_id` and
 * `span_id` (and `trace_flags`) to every line written inside a traced request or call, so a log
 * line leads to its trace and back. The names follow OpenTelemetry's log data model.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';

export interface TraceFields {
  trace_id?: string;
  span_id?: string;
  trace_flags?: string;
}

/** The active span's ids, or `{}` outside any span. */
export function activeTraceFields(): TraceFields {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const sc = span.spanContext();
  if (!isSpanContextValid(sc)) return {};
  return {
    trace_id: sc.traceId,
    span_id: sc.spanId,
    trace_flags: `0${(sc.traceFlags & 0xff).toString(16)}`.slice(-2),
  };
}

/** The active trace id (e.g. for `traceId` in a problem+json body), if any. */
export function activeTraceId(): string | undefined {
  return activeTraceFields().trace_id;
}

/**
 * `pino({ mixin: traceMixin })`, or with options already using a mixin:
 * `mixin: (ctx, level) => ({ ...mine(ctx, level), ...traceMixin() })`.
 */
export function traceMixin(): TraceFields {
  return activeTraceFields();
}
