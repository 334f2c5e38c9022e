import { entityMigration } from '@mystira/repository-postgres';
import { describe, expect, it } from 'vitest';
import { AccountRecord, AccountSchema, CreateAccountBody } from '../src/account.ts';
import { AccountEntity, AccountEntityV1 } from '../src/entities.ts';

const accountsTable = {
  schema: 'app',
  layout: 'columns' as const,
  indexes: ['email', 'createdAt'],
};

describe('the one account schema', () => {
  it('keeps the DDL of the first accounts migration byte for byte (its checksum is stored)', () => {
    // Derived from AccountRecord's property order: reordering the schema must fail here, not in
    // a deployment whose migration table holds this checksum.
    expect(entityMigration('0001_accounts', AccountEntityV1, accountsTable).up).toBe(
      [
        'CREATE SCHEMA IF NOT EXISTS "app"',
        'CREATE TABLE IF NOT EXISTS "app"."accounts" ("id" text COLLATE "C" PRIMARY KEY, "version" integer NOT NULL, "email" text COLLATE "C" NOT NULL, "displayName" text COLLATE "C" NOT NULL, "walletAddress" text COLLATE "C" NOT NULL, "createdAt" timestamptz NOT NULL, "updatedAt" timestamptz NOT NULL)',
        'CREATE INDEX IF NOT EXISTS "accounts_email_idx" ON "app"."accounts" ((("email" COLLATE "C")) NULLS FIRST, "id")',
        'CREATE INDEX IF NOT EXISTS "accounts_createdAt_idx" ON "app"."accounts" (("createdAt") NULLS FIRST, "id")',
        '',
      ].join(';\n'),
    );
  });

  it('stores every property, dates as dates, with the owner optional and id and version required', () => {
    expect([...AccountEntity.fields.keys()]).toEqual(Object.keys(AccountRecord.properties));
    expect(AccountEntity.fields.get('createdAt')?.type).toBe('date');
    expect(AccountEntity.fields.get('ownerId')?.maybeAbsent).toBe(true);
    expect(AccountEntity.fields.get('version')?.maybeAbsent).toBe(false);
    expect([...AccountEntityV1.fields.keys()]).not.toContain('ownerId');
  });

  it('answers without the owner and creates from what a caller chooses', () => {
    expect(AccountSchema).toMatchObject({ $id: 'Account' });
    expect(Object.keys(AccountSchema.properties)).not.toContain('ownerId');
    expect(CreateAccountBody).toMatchObject({ additionalProperties: false });
    expect(Object.keys(CreateAccountBody.properties)).toEqual([
      'email',
      'displayName',
      'walletAddress',
    ]);
  });
});
