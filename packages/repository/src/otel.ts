/**
 * @mystira/repository/otel: OpenTelemetry for repositories and their decorators. (The polyglot
 * layer's mirrors and metrics are traced by `@mystira/polyglot/otel`, on top of this.)
 *
 * A separate entry because `@opentelemetry/api` is an optional peer dependency: the main entry
 * never imports it, and an application that does not trace pays nothing. Adapters only report
 * backend facts through the per-call `CallOptions.observe` hook; this module turns a call plus
 * its facts into a span (children of the active context) and a `db.client.operation.duration`
 * measurement.
 *
 * @packageDocumentation
 */

import {
  type CallObservation,
  type CallOptions,
  passThrough,
  queryOf,
  type Repository,
  type RepositoryBackend,
} from '@mystira/repository';
import { hashQuery, type SpecSource } from '@mystira/specification';
import {
  type Attributes,
  type Context,
  context,
  type Histogram,
  type Meter,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

const SCOPE = '@mystira/repository';

/** Options of {@link tracedRepository} and {@link tracedMethods} (and `tracedMirror` of `@mystira/polyglot/otel`). */
export interface TracedRepositoryOptions {
  /** Default `trace.getTracer('@mystira/repository')`. */
  tracer?: Tracer;
  /** Where `db.client.operation.duration` goes. Default `metrics.getMeter('@mystira/repository')`. */
  meter?: Meter;
  /** Overrides the repository's own `backend` (e.g. to set `namespace`). */
  backend?: RepositoryBackend;
  /**
   * Span name prefix of repositories without a backend (decorators). Default: the repository's
   * own `decorator.name` (`polyglot` for a polyglot repository), otherwise `repository`.
   */
  name?: string;
  /** Put `mystira.spec.hash` on query spans (one cached SHA-256 per frozen spec). Default true. */
  specHash?: boolean;
}

/** `db.system.name` values of the current semantic conventions, where they differ from `db.system`. */
const systemNames: Record<string, string> = { cosmosdb: 'azure.cosmosdb' };

/** Adds up the facts of one call (see `CallObservation`) and writes them onto its span. */
class Facts {
  requestCharge = 0;
  requests = 0;
  rowCount = 0;
  hasCharge = false;
  hasRows = false;
  last: CallObservation = {};
  reported = false;

  add(f: CallObservation): void {
    this.reported = true;
    if (f.requestCharge !== undefined) {
      this.requestCharge += f.requestCharge;
      this.hasCharge = true;
    }
    if (f.requests !== undefined) this.requests += f.requests;
    if (f.rowCount !== undefined) {
      this.rowCount += f.rowCount;
      this.hasRows = true;
    }
    this.last = { ...this.last, ...f };
  }

  attributes(collection: string | undefined): Attributes {
    const a: Attributes = {};
    const l = this.last;
    if (this.hasCharge) a['db.cosmosdb.request_charge'] = this.requestCharge;
    if (this.requests > 0) a['mystira.db.round_trips'] = this.requests;
    if (l.activityId !== undefined) a['db.cosmosdb.activity_id'] = l.activityId;
    if (l.crossPartition !== undefined) a['db.cosmosdb.cross_partition'] = l.crossPartition;
    if (this.hasRows) a['db.response.returned_rows'] = this.rowCount;
    if (l.statement !== undefined)
      a['db.query.summary'] = collection ? `${l.statement} ${collection}` : l.statement;
    if (l.cacheHit !== undefined) a['cache.hit'] = l.cacheHit;
    if (l.l1Hit !== undefined) a['cache.l1_hit'] = l.l1Hit;
    if (l.coalesced !== undefined) a['cache.coalesced'] = l.coalesced;
    if (l.bypassed !== undefined) a['cache.bypassed'] = l.bypassed;
    return a;
  }
}

/**
 * The caller's options with an `observe` that adds each fact to `facts` and still passes it on:
 * facts flow up, so a decorator's span (polyglot) also shows the totals of the calls below it.
 */
function collecting(options: CallOptions | undefined, facts: Facts): CallOptions {
  const outer = options?.observe;
  return {
    ...options,
    observe: (f) => {
      facts.add(f);
      outer?.(f);
    },
  };
}

function errorType(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.name : typeof err;
}

function specHashOf(spec: unknown): string | undefined {
  try {
    return hashQuery(queryOf(spec as SpecSource<unknown, unknown>));
  } catch {
    return undefined; // invalid spec: the repository reports it, the span records the error
  }
}

/**
 * Starts and ends the spans of one instrumented target. Shared by `tracedRepository` and
 * `tracedMethods` so both name, attribute and measure calls the same way.
 */
class CallTracer {
  readonly #tracer: Tracer;
  readonly #duration: Histogram;
  readonly #kind: SpanKind;
  readonly #prefix: string;
  readonly #collection: string | undefined;
  readonly #base: Attributes;
  /** Per operation: the span's start attributes and the histogram's, built once (hot path). */
  readonly #byOperation = new Map<string, { span: Attributes; metric: Attributes }>();
  readonly #hashSpecs: boolean;

  constructor(
    entity: string,
    backend: RepositoryBackend | undefined,
    options: TracedRepositoryOptions,
    /** Without a backend: the span name prefix (`polyglot.`) and the `db.system` value. */
    fallback: { prefix: string; system: string },
  ) {
    this.#tracer = options.tracer ?? trace.getTracer(SCOPE);
    const meter = options.meter ?? metrics.getMeter(SCOPE);
    this.#duration = meter.createHistogram('db.client.operation.duration', {
      description: 'Duration of repository calls',
      unit: 's',
      advice: {
        explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
      },
    });
    this.#hashSpecs = options.specHash !== false;
    this.#kind = backend ? SpanKind.CLIENT : SpanKind.INTERNAL;
    this.#collection = backend?.collection ?? entity;
    this.#prefix = backend ? '' : fallback.prefix;
    const base: Attributes = { 'mystira.entity': entity };
    if (backend) {
      base['db.system'] = backend.system;
      base['db.system.name'] = systemNames[backend.system] ?? backend.system;
      base['db.collection.name'] = this.#collection;
      if (backend.namespace !== undefined) base['db.namespace'] = backend.namespace;
    } else {
      base['db.system'] = fallback.system;
    }
    this.#base = base;
  }

  #attributes(operation: string): { span: Attributes; metric: Attributes } {
    let a = this.#byOperation.get(operation);
    if (!a) {
      const span = { ...this.#base, 'db.operation.name': operation };
      a = { span, metric: span };
      this.#byOperation.set(operation, a);
    }
    return a;
  }

  /** Starts the span of `operation` (as a child of the active context). */
  start(operation: string, spec: unknown): { span: Span; ctx: Context; started: number } {
    const parent = context.active();
    const span = this.#tracer.startSpan(
      `${this.#prefix}${operation} ${this.#collection}`,
      { kind: this.#kind, attributes: this.#attributes(operation).span },
      parent,
    );
    // Hash only for spans that are recorded (a sampled-out or no-SDK call skips the SHA-256).
    if (spec !== undefined && this.#hashSpecs && span.isRecording()) {
      const hash = specHashOf(spec);
      if (hash !== undefined) span.setAttribute('mystira.spec.hash', hash);
    }
    return { span, ctx: trace.setSpan(parent, span), started: performance.now() };
  }

  end(
    operation: string,
    call: { span: Span; started: number },
    facts: Facts,
    error: unknown,
    failed: boolean,
    extra?: Attributes,
  ): void {
    const { span } = call;
    if (facts.reported) span.setAttributes(facts.attributes(this.#collection));
    if (extra) span.setAttributes(extra);
    let m = this.#attributes(operation).metric;
    if (failed) {
      const type = errorType(error);
      m = { ...m, 'error.type': type };
      span.setAttribute('error.type', type);
      if (error instanceof Error) span.recordException(error);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    }
    this.#duration.record((performance.now() - call.started) / 1000, m);
    span.end();
  }

  /** Runs one promise-returning call under its span. */
  async run<R>(
    operation: string,
    spec: unknown,
    options: CallOptions | undefined,
    invoke: (options: CallOptions) => Promise<R>,
    resultAttributes?: (result: R) => Attributes,
  ): Promise<R> {
    const call = this.start(operation, spec);
    const facts = new Facts();
    const observed = collecting(options, facts);
    try {
      const result = await context.with(call.ctx, invoke, undefined, observed);
      this.end(operation, call, facts, undefined, false, resultAttributes?.(result));
      return result;
    } catch (err) {
      this.end(operation, call, facts, err, true);
      throw err;
    }
  }

  /** Runs a stream under one span covering the whole iteration. */
  async *stream<R>(
    spec: unknown,
    options: CallOptions | undefined,
    open: (options: CallOptions) => AsyncIterable<R>,
  ): AsyncGenerator<R> {
    const call = this.start('stream', spec);
    const facts = new Facts();
    const observed = collecting(options, facts);
    let failed = false;
    let error: unknown;
    let items = 0;
    let it: AsyncIterator<R> | undefined;
    try {
      // Opened inside the try: an adapter that throws on open (a bad spec) still ends the span.
      it = context.with(call.ctx, () => open(observed)[Symbol.asyncIterator]());
      for (;;) {
        // Each step runs in the span's context, so round trips made lazily are its children.
        const step = await context.with(call.ctx, () => it!.next());
        if (step.done) break;
        items++;
        yield step.value;
      }
    } catch (err) {
      failed = true;
      error = err;
      throw err;
    } finally {
      await it?.return?.();
      this.end('stream', call, facts, error, failed, { 'mystira.stream.items': items });
    }
  }
}

const READS_WITH_SPEC = new Set(['list', 'first', 'single', 'count', 'any', 'page']);
const CALLS = new Set([
  'getById',
  'getMany',
  'add',
  'addMany',
  'update',
  'upsert',
  'delete',
  'aggregate',
  ...READS_WITH_SPEC,
]);

/** Every port method takes its options second: `getById(id, o)`, `list(spec, o)`, `add(item, o)`. */
const OPTIONS_AT = 1;

/**
 * Wraps a repository so every port call becomes a span (a child of the active context) and a
 * `db.client.operation.duration` measurement. Adapters with a `backend` (memory, PostgreSQL,
 * Cosmos DB) get CLIENT spans named `<operation> <collection>` with `db.*` attributes; decorators
 * get INTERNAL spans named `<name>.<operation> <entity>`, `<name>` being the repository's
 * `decorator.name` (`polyglot`) or `repository`, plus the decorator's `spanAttributes()`. Facts the
 * adapter reports through `CallOptions.observe` (Cosmos request charge and activity id,
 * PostgreSQL row counts) become span attributes.
 *
 * Everything but the port methods (e.g. `CosmosRepository.bulk`, `PolyglotRepository.phase`)
 * passes through to the wrapped repository unchanged.
 */
export function tracedRepository<T extends object, R extends Repository<T>>(
  repository: R,
  options: TracedRepositoryOptions = {},
): R {
  const backend = options.backend ?? repository.backend;
  const decorator = repository.decorator;
  const name = options.name ?? decorator?.name ?? 'repository';
  const tracer = new CallTracer(repository.entity.name, backend, options, {
    prefix: `${name}.`,
    system: `mystira.${name}`,
  });
  const spanAttributes = decorator?.spanAttributes
    ? () => decorator.spanAttributes?.() ?? {}
    : undefined;
  const overrides = new Map<PropertyKey, unknown>();
  for (const method of CALLS) {
    traceMethod(tracer, repository, overrides, {
      method,
      optionsAt: OPTIONS_AT,
      withSpec: READS_WITH_SPEC.has(method),
      resultAttributes: spanAttributes,
    });
  }
  if (typeof repository.stream === 'function') {
    overrides.set('stream', (spec: unknown, o?: CallOptions) =>
      tracer.stream(spec, o, (observed) =>
        repository.stream(spec as SpecSource<T, unknown>, observed),
      ),
    );
  }
  return passThrough(repository, overrides);
}

/** One method {@link tracedMethods} turns into spans. */
export interface TracedMethod {
  /** The method's name on the target. */
  method: string;
  /** Which argument (0-based) holds the call's `CallOptions`. */
  optionsAt: number;
  /** The span's operation (`db.operation.name`, and its name's first word). Default `method`. */
  operation?: string;
  /** Attributes read off the call's result, added to its span. */
  resultAttributes?(result: unknown): Attributes;
}

/** Who the spans of {@link tracedMethods} are about. */
export interface TracedTarget {
  /** The entity (`mystira.entity`, and the span name's collection when there is no backend). */
  entity: string;
  /** The store behind the target: CLIENT spans with `db.*` attributes. Absent: INTERNAL spans. */
  backend?: RepositoryBackend;
  /** Without a backend: the span name prefix (e.g. `polyglot.`; may be empty). */
  prefix: string;
  /** Without a backend: the `db.system` value (e.g. `mystira.mirror`). */
  system: string;
}

/**
 * The building block of {@link tracedRepository} for targets that are not repositories (a
 * polyglot mirror, say): wraps `target` so each listed method becomes a span and a
 * `db.client.operation.duration` measurement, named, attributed and measured exactly as the
 * repository calls are. `replaced` answers some properties with other values (e.g. the mirror's
 * `repository`, itself traced); everything else passes through to `target` unchanged.
 */
export function tracedMethods<R extends object>(
  target: R,
  about: TracedTarget,
  methods: readonly TracedMethod[],
  options: TracedRepositoryOptions = {},
  replaced: ReadonlyMap<PropertyKey, unknown> = new Map(),
): R {
  const tracer = new CallTracer(about.entity, options.backend ?? about.backend, options, {
    prefix: about.prefix,
    system: about.system,
  });
  const overrides = new Map<PropertyKey, unknown>(replaced);
  for (const m of methods) {
    traceMethod(tracer, target, overrides, {
      method: m.method,
      optionsAt: m.optionsAt,
      operation: m.operation,
      withSpec: false,
      resultAttributes: m.resultAttributes,
    });
  }
  return passThrough(target, overrides);
}

/** Puts into `overrides` a version of `target[method]` that runs each call under a span. */
function traceMethod(
  tracer: CallTracer,
  target: object,
  overrides: Map<PropertyKey, unknown>,
  call: {
    method: string;
    optionsAt: number;
    operation?: string | undefined;
    /** The first argument is a spec (its hash goes on the span). */
    withSpec: boolean;
    resultAttributes?: ((result: unknown) => Attributes) | undefined;
  },
): void {
  const original = (target as Record<string, unknown>)[call.method];
  if (typeof original !== 'function') return;
  const at = call.optionsAt;
  overrides.set(call.method, (...args: unknown[]) =>
    tracer.run(
      call.operation ?? call.method,
      call.withSpec ? args[0] : undefined,
      args[at] as CallOptions | undefined,
      (o) => {
        const a = [...args];
        a[at] = o;
        return (original as (...x: unknown[]) => Promise<unknown>).apply(target, a);
      },
      call.resultAttributes,
    ),
  );
}
