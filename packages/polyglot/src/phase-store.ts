/**
 * Where phases live when more than one process serves an entity. The instance that changes a
 * phase (`setPhase`, or the CLI's `phase` command) records it here; every instance polls it
 * (`watchPhases`) and follows, so a fleet switches without a restart or a redeploy.
 */
import { type CallOptions, throwIfAborted } from '@mystira/repository';
import type { Phase } from './phases.js';

/**
 * Where the phases a fleet follows are recorded (`PgPhaseStore` of `@mystira/repository-postgres`,
 * or {@link MemoryPhaseStore}).
 */
export interface PhaseStore {
  /** The recorded phase of every entity that has one. */
  load(options?: CallOptions): Promise<Record<string, Phase>>;
  /** Records `entity`'s phase; the instances that watch the store follow it. */
  save(entity: string, phase: Phase, options?: CallOptions): Promise<void>;
}

/** In-process phase store (tests; several registries in one process). */
export class MemoryPhaseStore implements PhaseStore {
  readonly #phases = new Map<string, Phase>();
  async load(options: CallOptions = {}): Promise<Record<string, Phase>> {
    throwIfAborted(options.signal);
    return Object.fromEntries(this.#phases);
  }
  async save(entity: string, phase: Phase, options: CallOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    this.#phases.set(entity, phase);
  }
}
