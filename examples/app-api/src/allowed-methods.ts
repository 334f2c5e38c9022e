/**
 * Which methods a path has routes for, so that a wrong method on an existing path is answered
 * 405 with an `Allow` header (RFC 9110 §15.5.6) instead of Fastify's 404. Fastify's router does
 * not say why nothing matched, so every route is recorded as it is added (the `onRoute` hook) and
 * the not-found handler asks this table.
 */
import type { FastifyInstance } from 'fastify';

interface RoutePattern {
  matches: RegExp;
  methods: Set<string>;
}

export class AllowedMethods {
  readonly #patterns = new Map<string, RoutePattern>();

  /** Records every route added to `app` (and its plugins) from now on. */
  static record(app: FastifyInstance): AllowedMethods {
    const table = new AllowedMethods();
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) table.add(method, route.url ?? route.path);
    });
    return table;
  }

  add(method: string, url: string): void {
    let pattern = this.#patterns.get(url);
    if (!pattern) {
      pattern = { matches: toRegExp(url), methods: new Set() };
      this.#patterns.set(url, pattern);
    }
    pattern.methods.add(method.toUpperCase());
    // Fastify answers HEAD for every GET route.
    if (method.toUpperCase() === 'GET') pattern.methods.add('HEAD');
  }

  /** The methods routed for `path` (no query string), sorted; empty when the path is unknown. */
  for(path: string): string[] {
    const methods = new Set<string>();
    for (const pattern of this.#patterns.values())
      if (pattern.matches.test(path)) for (const m of pattern.methods) methods.add(m);
    return [...methods].sort();
  }
}

/** `/v1/stories/:id/publish` -> /^\/v1\/stories\/[^/]+\/publish$/; a trailing `*` matches the rest. */
function toRegExp(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}
