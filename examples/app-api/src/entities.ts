/**
 * The stored shapes of the domain (src/domain.ts), declared once with @mystira/specification:
 * the same declaration drives validation, the PostgreSQL columns, the Cosmos DB indexes, the
 * cache's schema fingerprint and the queries.
 *
 * Accounts are flat, so `Account` is stored as it is: its entity is derived from the one account
 * schema (account.ts). A story's scenarios and contributors are arrays of objects, which the
 * specification language does not model (arrays hold scalars only), so a stored story keeps them
 * as JSON text next to the queryable fields; `StoryDocument` and the mapping in
 * story-documents.ts translate between the two.
 */
import { entity, field, type Infer } from '@mystira/specification';
import { AccountRecord } from './account.ts';
import { storedFields } from './stored-fields.ts';

/** Every property of the account schema (account.ts); the repository always sets id and version. */
const accountFields = storedFields(AccountRecord, ['id', 'version']);

export const AccountEntity = entity('accounts', accountFields, { id: 'id', version: 'version' });

/**
 * The accounts table as its first migration created it, before `ownerId`. That migration's
 * checksum covers the DDL generated from this shape, so it must not change; later columns come in
 * their own migrations.
 */
const { ownerId: _addedLater, ...accountFieldsV1 } = accountFields;
export const AccountEntityV1 = entity('accounts', accountFieldsV1, {
  id: 'id',
  version: 'version',
});

export const StoryEntity = entity(
  'stories',
  {
    id: field.string(),
    version: field.number(),
    authorId: field.string(),
    title: field.string(),
    summary: field.string(),
    status: field.string(),
    /** JSON text of `Scenario[]`. */
    scenariosJson: field.string(),
    /** JSON text of `StoryContributor[]`. */
    contributorsJson: field.string(),
    /** Account ids of the contributors, so "stories I share in" is a query (arrayContains). */
    contributorIds: field.array(field.string()),
    registration: field
      .object({
        state: field.string(),
        idempotencyKey: field.string(),
        requestedAt: field.date(),
        updatedAt: field.date(),
        ipAssetId: field.string().optional(),
        txHash: field.string().optional(),
        blockNumber: field.string().optional(),
        confirmations: field.number().optional(),
        error: field.string().optional(),
      })
      .optional(),
    /** JSON text of `StoryLicense`, once published (absent on stories published before licensing). */
    licenseJson: field.string().optional(),
    createdAt: field.date(),
    updatedAt: field.date(),
  },
  { id: 'id', version: 'version' },
);

export type StoryDocument = Infer<typeof StoryEntity>;
