/**
 * `StoryProtocol` (`ScenarioStoryProtocol`, owned by scenarios and content bundles; reference
 * 1.2.8): the IP registration and its contributors. Typed in part: each contributor's `Role`
 * (`ContributorRole`, renumbered between the domains) and the properties both domains' contributors
 * share; the registration's properties (legacy documents hold them under other names) and the
 * contributors' others are kept as stored.
 */
import {
  enumField,
  numberField,
  objectField,
  objectsField,
  type StoredDocument,
  stringField,
} from '@mystira/repository';
import { isStoredObject, renumberElements } from './embedded.js';
import { ContributorRole, type ContributorRoleName, LEGACY_CONTRIBUTOR_ROLE } from './enums.js';

/** A contributor to a story (`Contributor`), typed in part. */
export interface Contributor {
  /** Its id. */
  id: string;
  /** The contributor's name. */
  name: string;
  /** The role (legacy documents' numbers translated). */
  role: ContributorRoleName;
  /** Their share, in percent (the shares sum to 100). */
  contributionPercentage: number;
}

/** A story's IP registration (`ScenarioStoryProtocol`), typed in part. */
export interface StoryProtocol {
  /** The contributors. */
  contributors: Contributor[];
}

/** The `StoryProtocol` field (nullable, as the App writes it). */
export function storyProtocolField() {
  return objectField('StoryProtocol', {
    contributors: objectsField('Contributors', {
      id: stringField('Id'),
      name: stringField('Name'),
      role: enumField('Role', ContributorRole),
      contributionPercentage: numberField('ContributionPercentage'),
    }),
  }).nullable();
}

/** A legacy document's contributors' roles in the current numbering (1.4). */
export function legacyContributors(doc: StoredDocument): StoredDocument {
  const protocol = doc.StoryProtocol;
  if (!isStoredObject(protocol)) return doc;
  return {
    ...doc,
    StoryProtocol: renumberElements(protocol, 'Contributors', 'Role', LEGACY_CONTRIBUTOR_ROLE),
  };
}
