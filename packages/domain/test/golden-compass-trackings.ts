/**
 * Golden `CompassTrackings` documents, written from the data-model reference (1.2.7): a current
 * document (the axis as `id`, `Value` = `(int)CurrentValue`, full history records) and a legacy
 * one (a fractional `StartingValue`, no `Value`, records `{Axis, Delta, DevelopmentalLink}`). No
 * current code writes the container; both are the models' shapes, not captured documents.
 */
import type { StoredDocument } from '@mystira/repository';

/** A `CompassTrackings` document as the current model writes it. */
export const compassCurrent: StoredDocument = {
  id: 'courage',
  Key: null,
  CurrentValue: 3.5,
  Value: 3,
  StartingValue: 0,
  LastUpdated: '2026-02-01T10:05:00.25Z',
  History: [
    {
      AxisId: 'courage',
      OldValue: 2,
      NewValue: 3,
      Delta: 1,
      SceneId: 'scene-2',
      Reason: 'Stood firm',
      Timestamp: '2026-02-01T10:05:00.25Z',
    },
  ],
  $type: 'CompassTracking',
};

/** A legacy `CompassTrackings` document (Mystira.App.Domain) [inferred from 1.2.7]. */
export const compassLegacy: StoredDocument = {
  id: 'honesty',
  CurrentValue: 2.5,
  StartingValue: 0.5,
  LastUpdated: '2025-11-20T08:30:00',
  History: [{ Axis: 'honesty', Delta: 2, DevelopmentalLink: 'truth-telling' }],
  $type: 'CompassTracking',
};
