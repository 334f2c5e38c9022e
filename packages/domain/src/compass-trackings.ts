/**
 * `CompassTracking` — container `CompassTrackings`, partition `/id` (reference 1.2.7): one
 * document per compass axis, keyed and partitioned by the axis name (`Axis` → `id`). It is the
 * roadmap's "analytical/tracking" data bound for PostgreSQL, but no current code writes it
 * (section 7, item 12): the codec reads what older code wrote and writes what the current model
 * would. `Value` is the App's persisted alias `(int)CurrentValue`; `AxisValues` is ignored by the
 * App (kept as stored when present). Legacy documents have a fractional `StartingValue`, no
 * `Value`, and history records `{Axis, Delta, DevelopmentalLink}` where current ones have
 * `AxisId`, old and new values, the scene, the reason and a timestamp.
 */
import {
  dateField,
  entityCodec,
  numberField,
  objectsField,
  type StoredDocument,
  stringField,
} from '@mystira/repository';
import { codecOf, legacyWithout } from './base.js';

/** One change of an axis (`CompassChangeRecord`, owned by `CompassTracking.History`). */
export interface CompassChangeRecord {
  /** The axis (legacy records: `Axis`). */
  axisId: string;
  /** The value before, or null (legacy records have none). */
  oldValue: number | null;
  /** The value after, or null (legacy records have none). */
  newValue: number | null;
  /** The change (an int today; legacy records may hold a fraction). */
  delta: number;
  /** The scene, or null. */
  sceneId: string | null;
  /** Why, or null. */
  reason: string | null;
  /** When, or null (legacy records have none). */
  timestamp: string | null;
}

/** An axis's tracking (reference 1.2.7); dates are instants in `toISOString()` form. */
export interface CompassTracking {
  /** The axis name: the id and the partition key. */
  id: string;
  /** Key, or null. */
  key: string | null;
  /** The current value (a double). */
  currentValue: number;
  /** The App's persisted `(int)CurrentValue`; keep it consistent when writing. */
  value: number;
  /** The starting value (an int today; legacy documents may hold a fraction). */
  startingValue: number;
  /** Last update. */
  lastUpdated: string;
  /** The changes, oldest first. */
  history: CompassChangeRecord[];
}

/** Legacy history records name the axis `Axis`; current ones `AxisId`. */
function legacyHistory(doc: StoredDocument): StoredDocument {
  if (!Array.isArray(doc.History)) return doc;
  const history = (doc.History as StoredDocument[]).map((r) =>
    r && typeof r === 'object' && !Object.hasOwn(r, 'AxisId') && Object.hasOwn(r, 'Axis')
      ? { ...r, AxisId: r.Axis }
      : r,
  );
  return { ...doc, History: history };
}

const compassTrackingCodec = entityCodec({
  container: 'CompassTrackings',
  type: 'CompassTracking',
  fields: {
    id: stringField('id'),
    key: stringField('Key').nullable(),
    currentValue: numberField('CurrentValue'),
    value: numberField('Value'),
    startingValue: numberField('StartingValue'),
    lastUpdated: dateField('LastUpdated'),
    history: objectsField('History', {
      axisId: stringField('AxisId'),
      oldValue: numberField('OldValue').nullable(),
      newValue: numberField('NewValue').nullable(),
      delta: numberField('Delta'),
      sceneId: stringField('SceneId').nullable(),
      reason: stringField('Reason').nullable(),
      timestamp: dateField('Timestamp').nullable(),
    }),
  },
  generations: [
    // The `Value` alias (an int the current model always persists) is not in the legacy model
    // [inferred from 1.2.7]; its history records are upgraded element by element.
    legacyWithout('Value', {
      upgrade: legacyHistory,
      touches: ['History'],
    }),
  ],
});

/** The codec of `CompassTrackings` documents (both generations): use it with `mapped()`. */
export const compassTrackings = codecOf<CompassTracking>()(compassTrackingCodec);
