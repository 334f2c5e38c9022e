/**
 * @mystira/chain-server/otel: OpenTelemetry for the server. Needs the optional peer dependency
 * `@opentelemetry/api` (the main entry never imports it).
 *
 * `createChainServer({ ledger, telemetry: otelTelemetry() })` gives, on both serving paths:
 * - a SERVER span per call named `mystira.chain.v1.ChainService/RegisterIpAsset`, continuing the
 *   caller's W3C trace context (`traceparent`/`tracestate`, through the registered propagator, or
 *   parsed here when none is registered), with the rpc.* semantic-convention attributes and
 *   `rpc.grpc.status_code`;
 * - an INTERNAL child span per ledger call (`ledger.registerAsset`, ...), whatever the ledger, and
 *   per call of its `ip` port (`ledger.ip.createCollection`, ...) when it has one;
 * - the `rpc.server.duration` histogram (ms) by rpc.method and rpc.grpc.status_code, on the
 *   meter, or aggregated by the host (`histogram` option).
 * Spans nest through the active context, so register a context manager (e.g. the
 * AsyncLocalStorageContextManager of `@opentelemetry/context-async-hooks`).
 *
 * Calls the sampler leaves out cost next to nothing: their span is the API's non-recording one
 * (it still carries the trace context on), span attributes are set only on spans that record
 * (so samplers do not see them at the start), and ledger calls made inside a call that is
 * neither recorded nor sampled get no span of their own: parent-based sampling, the
 * OpenTelemetry default, would drop them anyway.
 *
 * @packageDocumentation
 */

import { Code, ConnectError } from '@connectrpc/connect';
import {
  type Attributes,
  type Context,
  context,
  createTraceState,
  type Histogram,
  INVALID_SPANID,
  INVALID_TRACEID,
  isSpanContextValid,
  type Meter,
  metrics,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { IpLedger } from './ip-ledger.js';
import type { Ledger, LedgerError } from './ledger.js';
import type { CallScope, RpcTelemetry } from './telemetry.js';

export type { CallScope, RpcTelemetry } from './telemetry.js';

/** Options of {@link otelTelemetry}. */
export interface OtelTelemetryOptions {
  /** Default: `trace.getTracer('@mystira/chain-server')` of the global provider. */
  tracer?: Tracer;
  /** Default: `metrics.getMeter('@mystira/chain-server')` of the global provider. */
  meter?: Meter;
  /** Spans for ledger calls. Default true. */
  ledgerSpans?: boolean;
  /**
   * Where `rpc.server.duration` is aggregated. Default: a histogram of `meter`, whose `record`
   * hashes the attributes on every call to find the series. A host that aggregates histograms
   * itself (e.g. `setupTelemetry().histogram` of the examples) passes its factory: it is asked once
   * per procedure, protocol and status, and the recorder it gives is called once per call.
   */
  histogram?: HistogramFactory;
}

/** Makes a histogram aggregated outside the SDK's meter (see {@link OtelTelemetryOptions}). */
export type HistogramFactory = (
  name: string,
  spec: {
    description: string;
    unit: string;
    /** Bucket bounds, ascending. */
    boundaries: readonly number[];
    /** The instrumentation scope to report it under. */
    scope: string;
  },
) => (attributes: Attributes) => (value: number) => void;

/** Records one call's duration in its series; `ctx` is the call's context. */
type DurationRecorder = (ms: number, ctx: Context) => void;

/**
 * A context that is `parent` with one value added or replaced: what `trace.setSpan` makes of a
 * call's parent. The API's own contexts copy their parent's Map and make three closures on every
 * `setValue`, an allocation the unsampled calls paid too; this one is one small object, and
 * lookups walk the (short) chain of values set during the call. Contexts are immutable either way.
 */
class LinkedContext implements Context {
  readonly #parent: Context;
  readonly #key: symbol | undefined;
  readonly #value: unknown;
  constructor(parent: Context, key: symbol | undefined, value: unknown) {
    this.#parent = parent;
    this.#key = key;
    this.#value = value;
  }
  getValue(key: symbol): unknown {
    return key === this.#key ? this.#value : this.#parent.getValue(key);
  }
  setValue(key: symbol, value: unknown): Context {
    return new LinkedContext(this, key, value);
  }
  deleteValue(key: symbol): Context {
    // Shadowed with undefined: what getValue of a deleted key answers.
    return this.getValue(key) === undefined ? this : new LinkedContext(this, key, undefined);
  }
}

/**
 * The root context as a LinkedContext: what the caller's context is read into, so that it, the
 * call's context made from it and the contexts of the call's ledger spans are all linked ones.
 */
const LINKED_ROOT: Context = new LinkedContext(ROOT_CONTEXT, undefined, undefined);

type HeaderReader = (name: string) => string | undefined;

const headerGetter: TextMapGetter<HeaderReader> = {
  keys: () => ['traceparent', 'tracestate', 'baggage'],
  get: (read, key) => read(key),
};

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-|$)/;

/** The caller's context: the registered propagator's reading, or W3C trace context by hand. */
function parentOf(header: HeaderReader): Context {
  const extracted = propagation.extract(LINKED_ROOT, header, headerGetter);
  if (trace.getSpanContext(extracted)) return extracted;
  // Nothing found: without a registered propagator `extract` does nothing, and W3C trace context
  // is the contract between the Mystira services (the client writes it the same way), so read
  // `traceparent` ourselves.
  const traceparent = header('traceparent');
  // Most calls carry none: no trimming, lower-casing or matching then.
  if (traceparent === undefined) return extracted;
  const m = TRACEPARENT.exec(traceparent.trim().toLowerCase());
  if (!m) return extracted;
  const state = header('tracestate');
  const sc = {
    traceId: m[1] as string,
    spanId: m[2] as string,
    traceFlags: Number.parseInt(m[3] as string, 16),
    isRemote: true,
    ...(state ? { traceState: createTraceState(state) } : {}),
  };
  return isSpanContextValid(sc) ? trace.setSpanContext(extracted, sc) : extracted;
}

/**
 * Codes that mean the server failed (semantic conventions for gRPC servers); the others are the
 * caller's problem and leave a SERVER span's status unset.
 */
const SERVER_FAULTS = new Set<Code>([
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Unimplemented,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
]);

/** Bucket bounds in ms fit for sub-millisecond unary calls as well as slow ledger writes. */
const DURATION_BUCKETS_MS = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
];

/** The options of every call's span, shared: its attributes are set once it is known to record. */
const SERVER_SPAN = { kind: SpanKind.SERVER } as const;

/** Names and attribute sets of one procedure on one protocol, made once per process. */
interface CallNames {
  spanName: string;
  spanAttributes: Attributes;
  /** The recorder of the duration series of one status, made once. */
  durationOf(status: number): DurationRecorder;
}

/** INVALID_ARGUMENT, as gRPC names the codes. */
function errorType(code: Code): string {
  return (Code[code] ?? String(code)).replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * One call's scope: a class rather than closures, since one is made per call on the hot path.
 * What the span gets is computed only when it records.
 */
class OtelCallScope implements CallScope {
  readonly #start: number;
  readonly #ctx: Context;
  readonly #span: Span;
  readonly #recording: boolean;
  readonly #names: CallNames;
  constructor(start: number, ctx: Context, span: Span, names: CallNames) {
    this.#start = start;
    this.#ctx = ctx;
    this.#span = span;
    this.#recording = span.isRecording();
    this.#names = names;
    if (this.#recording) span.setAttributes(names.spanAttributes);
  }
  run<T>(fn: () => T): T {
    return context.with(this.#ctx, fn);
  }
  end(code: Code | undefined, error?: unknown): void {
    const status: number = code ?? 0; // 0 = OK
    const span = this.#span;
    if (this.#recording) {
      span.setAttribute('rpc.grpc.status_code', status);
      if (code !== undefined) {
        span.setAttribute('error.type', errorType(code));
        if (SERVER_FAULTS.has(code)) {
          const e = error === undefined ? new ConnectError('', code) : ConnectError.from(error);
          span.recordException(e);
          span.setStatus({ code: SpanStatusCode.ERROR, message: e.rawMessage });
        }
      }
    }
    span.end();
    // The call's context, given rather than looked up (exemplars read it).
    this.#names.durationOf(status)(performance.now() - this.#start, this.#ctx);
  }
}

/**
 * Whether a ledger call made now gets a span: not inside a call span that neither records nor
 * is sampled (a parent-based sampler, the default, would drop the child too), so the calls the
 * sampler leaves out make no span, attribute or closure for their ledger calls either.
 */
function ledgerSpanWanted(): boolean {
  const active = trace.getSpan(context.active());
  if (active === undefined || active.isRecording()) return true;
  const sc = active.spanContext();
  // Ids compared with the invalid ones rather than validated (two regular expressions per ledger
  // call): the active span's ids come from a tracer or a parsed traceparent, well-formed either way.
  return (
    (sc.traceFlags & TraceFlags.SAMPLED) !== 0 ||
    sc.traceId === INVALID_TRACEID ||
    sc.spanId === INVALID_SPANID
  );
}

/** The OpenTelemetry implementation of the server's telemetry seam. */
export function otelTelemetry(options: OtelTelemetryOptions = {}): RpcTelemetry {
  const tracer = options.tracer ?? trace.getTracer('@mystira/chain-server');
  const description = 'Duration of inbound RPCs, from the decoded request to the response.';
  /** The duration recorder of one attribute set (asked once per set). */
  let durationSeries: (attributes: Attributes) => DurationRecorder;
  if (options.histogram) {
    durationSeries = options.histogram('rpc.server.duration', {
      description,
      unit: 'ms',
      boundaries: DURATION_BUCKETS_MS,
      scope: '@mystira/chain-server',
    });
  } else {
    const meter = options.meter ?? metrics.getMeter('@mystira/chain-server');
    const duration: Histogram = meter.createHistogram('rpc.server.duration', {
      description,
      unit: 'ms',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_MS },
    });
    durationSeries = (attributes) => (ms, ctx) => duration.record(ms, attributes, ctx);
  }

  // Names and attribute sets per procedure and protocol, made once: the lean path is sensitive
  // to per-call allocations.
  const namesCache = {
    grpc: new Map(),
    'grpc-web': new Map(),
    connect: new Map(),
  } satisfies Record<string, Map<string, CallNames>>;
  function namesOf(procedure: string, protocol: 'grpc' | 'grpc-web' | 'connect'): CallNames {
    const byProcedure: Map<string, CallNames> = namesCache[protocol];
    let names = byProcedure.get(procedure);
    if (names) return names;
    const slash = procedure.lastIndexOf('/');
    const base: Attributes = {
      'rpc.system': protocol === 'connect' ? 'connect_rpc' : 'grpc',
      'rpc.service': procedure.slice(1, slash),
      'rpc.method': procedure.slice(slash + 1),
    };
    const byStatus = new Map<number, DurationRecorder>();
    names = {
      spanName: procedure.slice(1),
      spanAttributes: { ...base, 'mystira.rpc.protocol': protocol },
      durationOf(status) {
        let record = byStatus.get(status);
        if (!record) {
          record = durationSeries({ ...base, 'rpc.grpc.status_code': status });
          byStatus.set(status, record);
        }
        return record;
      },
    };
    // Unknown paths never reach here (both paths answer only registered procedures).
    byProcedure.set(procedure, names);
    return names;
  }

  function startCall(
    procedure: string,
    protocol: 'grpc' | 'grpc-web' | 'connect',
    header: HeaderReader,
  ): CallScope {
    const start = performance.now();
    const names = namesOf(procedure, protocol);
    const parent = parentOf(header);
    const span = tracer.startSpan(names.spanName, SERVER_SPAN, parent);
    return new OtelCallScope(start, trace.setSpan(parent, span), span, names);
  }

  /** Runs one ledger call as an INTERNAL child span of the active (call) context. */
  function traced<T>(name: string, attributes: Attributes, call: () => Promise<T>): Promise<T> {
    return tracer.startActiveSpan(
      `ledger.${name}`,
      { kind: SpanKind.INTERNAL, attributes },
      async (span) => {
        try {
          return await call();
        } catch (error) {
          // By name: this entry is bundled apart from the main one, so `instanceof` would compare
          // against a second copy of the class.
          if ((error as Partial<LedgerError> | undefined)?.name === 'LedgerError') {
            span.setAttribute('mystira.ledger.error', String((error as LedgerError).code));
          }
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  /** The ip port with each call a `ledger.ip.*` span, attributed by the ids it acts on. */
  function wrapIp(ip: IpLedger): IpLedger {
    return {
      createCollection: (input, signal) =>
        ledgerSpanWanted()
          ? traced('ip.createCollection', {}, () => ip.createCollection(input, signal))
          : ip.createCollection(input, signal),
      getCollection: (address) =>
        ledgerSpanWanted()
          ? traced('ip.getCollection', { 'mystira.collection_address': address }, () =>
              ip.getCollection(address),
            )
          : ip.getCollection(address),
      registerLicenseTerms: (terms, signal) =>
        ledgerSpanWanted()
          ? traced('ip.registerLicenseTerms', {}, () => ip.registerLicenseTerms(terms, signal))
          : ip.registerLicenseTerms(terms, signal),
      getLicenseTerms: (licenseTermsId) =>
        ledgerSpanWanted()
          ? traced(
              'ip.getLicenseTerms',
              { 'mystira.license_terms_id': licenseTermsId.toString() },
              () => ip.getLicenseTerms(licenseTermsId),
            )
          : ip.getLicenseTerms(licenseTermsId),
      attachLicenseTerms: (input, signal) =>
        ledgerSpanWanted()
          ? traced(
              'ip.attachLicenseTerms',
              {
                'mystira.ip_asset_id': input.ipAssetId,
                'mystira.license_terms_id': input.licenseTermsId.toString(),
              },
              () => ip.attachLicenseTerms(input, signal),
            )
          : ip.attachLicenseTerms(input, signal),
      mintLicenseTokens: (input, signal) =>
        ledgerSpanWanted()
          ? traced(
              'ip.mintLicenseTokens',
              {
                'mystira.ip_asset_id': input.licensorIpAssetId,
                'mystira.license_terms_id': input.licenseTermsId.toString(),
              },
              () => ip.mintLicenseTokens(input, signal),
            )
          : ip.mintLicenseTokens(input, signal),
      mintAndRegisterIpAsset: (input, signal) =>
        ledgerSpanWanted()
          ? traced('ip.mintAndRegisterIpAsset', { 'mystira.content_id': input.contentId }, () =>
              ip.mintAndRegisterIpAsset(input, signal),
            )
          : ip.mintAndRegisterIpAsset(input, signal),
      getIpAsset: (by) =>
        ledgerSpanWanted()
          ? traced(
              'ip.getIpAsset',
              'ipAssetId' in by
                ? { 'mystira.ip_asset_id': by.ipAssetId }
                : { 'mystira.content_id': by.contentId },
              () => ip.getIpAsset(by),
            )
          : ip.getIpAsset(by),
    };
  }

  function wrapLedger(ledger: Ledger): Ledger {
    if (options.ledgerSpans === false) return ledger;
    // Read once, as the server reads it: a ledger without the port stays without it (no `ip`
    // key at all), so "does this ledger do ip.v1?" has the same answer through the wrapper.
    const ip = ledger.ip;
    return {
      ...(ip ? { ip: wrapIp(ip) } : {}),
      get requiredConfirmations() {
        return ledger.requiredConfirmations;
      },
      registerAsset: (input, signal) =>
        ledgerSpanWanted()
          ? traced('registerAsset', { 'mystira.content_id': input.contentId }, () =>
              ledger.registerAsset(input, signal),
            )
          : ledger.registerAsset(input, signal),
      getAssetByContentId: (contentId) =>
        ledgerSpanWanted()
          ? traced('getAssetByContentId', { 'mystira.content_id': contentId }, () =>
              ledger.getAssetByContentId(contentId),
            )
          : ledger.getAssetByContentId(contentId),
      getAssetByIpId: (ipAssetId) =>
        ledgerSpanWanted()
          ? traced('getAssetByIpId', { 'mystira.ip_asset_id': ipAssetId }, () =>
              ledger.getAssetByIpId(ipAssetId),
            )
          : ledger.getAssetByIpId(ipAssetId),
      setRoyaltySplit: (ipAssetId, contributors, signal) =>
        ledgerSpanWanted()
          ? traced('setRoyaltySplit', { 'mystira.ip_asset_id': ipAssetId }, () =>
              ledger.setRoyaltySplit(ipAssetId, contributors, signal),
            )
          : ledger.setRoyaltySplit(ipAssetId, contributors, signal),
      payRoyalties: (input, signal) =>
        ledgerSpanWanted()
          ? traced('payRoyalties', { 'mystira.ip_asset_id': input.ipAssetId }, () =>
              ledger.payRoyalties(input, signal),
            )
          : ledger.payRoyalties(input, signal),
      claimableBalances: (wallet, ipAssetId) =>
        ledgerSpanWanted()
          ? traced('claimableBalances', ipAssetId ? { 'mystira.ip_asset_id': ipAssetId } : {}, () =>
              ledger.claimableBalances(wallet, ipAssetId),
            )
          : ledger.claimableBalances(wallet, ipAssetId),
      claimRoyalties: (input, signal) =>
        ledgerSpanWanted()
          ? traced('claimRoyalties', { 'mystira.ip_asset_id': input.ipAssetId }, () =>
              ledger.claimRoyalties(input, signal),
            )
          : ledger.claimRoyalties(input, signal),
      getTransaction: (hash) =>
        ledgerSpanWanted()
          ? traced('getTransaction', { 'mystira.tx_hash': hash }, () => ledger.getTransaction(hash))
          : ledger.getTransaction(hash),
      // Synchronous or listener-based: nothing to time.
      onTransaction: (hash, listener) => ledger.onTransaction(hash, listener),
      info: () => ledger.info(),
      health: () =>
        ledgerSpanWanted() ? traced('health', {}, () => ledger.health()) : ledger.health(),
    };
  }

  return { startCall, wrapLedger };
}
