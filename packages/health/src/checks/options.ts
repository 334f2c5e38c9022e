import type { HealthCheck } from '../registry.js';

/** Options every ready-made check takes; they map onto {@link HealthCheck}'s fields. */
export interface ReadyCheckOptions {
  /** Check name in the report. Each ready-made check has its own default (`postgres`, `redis`, ...). */
  name?: string;
  /** Time after which the check counts as unhealthy. Default: the registry's `defaultTimeoutMs`. */
  timeoutMs?: number;
  /**
   * Whether a failure makes the whole report `unhealthy` (true, the default) or only `degraded`.
   */
  critical?: boolean;
  /** Which probes run the check (`live`, `ready`, or your own). Default `['ready']`. */
  tags?: readonly string[];
}

export function checkFields(
  defaults: { name: string },
  options: ReadyCheckOptions,
): Omit<HealthCheck, 'check'> {
  const fields: Omit<HealthCheck, 'check'> = { name: options.name ?? defaults.name };
  if (options.timeoutMs !== undefined) fields.timeoutMs = options.timeoutMs;
  if (options.critical !== undefined) fields.critical = options.critical;
  if (options.tags !== undefined) fields.tags = options.tags;
  return fields;
}
