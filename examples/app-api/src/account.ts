/**
 * The account, declared once as a TypeBox schema (JSON Schema that carries its TypeScript type).
 * Everything else is derived from `AccountRecord`:
 * - the `Account` type the services and stores use (`Static`);
 * - the API's `Account` component (the answer: everything but the owner) and the create body,
 *   which Fastify validates and serializes with and @fastify/swagger puts in the OpenAPI document;
 * - the stored entity (entities.ts), which the repositories validate and map to PostgreSQL
 *   columns and Cosmos DB indexes.
 */
import Type, { type Static } from 'typebox';

/** A server-made identifier (UUID); the pattern keeps path parameters free of separators. */
export const id = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' });
/** Timestamps are ISO-8601 strings in `Date#toISOString()` form. */
export const isoDate = Type.String({ format: 'date-time' });
export const walletAddress = Type.String({
  pattern: '^0x[0-9a-fA-F]{40}$',
  description: '0x-prefixed, 40 hex digits',
});

/**
 * An account as stored. The property order is the column order of the accounts table, whose first
 * migration's checksum covers its DDL (see entities.ts): add new properties at the end.
 */
export const AccountRecord = Type.Object({
  id,
  /**
   * Optimistic-concurrency version, set by the repository (starts at 1, +1 per write). Also the
   * HTTP `ETag`. Optional so callers may build an Account before it is stored.
   */
  version: Type.Optional(Type.Integer()),
  email: Type.String({ format: 'email', maxLength: 254 }),
  displayName: Type.String({ minLength: 1, maxLength: 100 }),
  /** Where this account's royalties are paid. */
  walletAddress,
  createdAt: isoDate,
  updatedAt: isoDate,
  /**
   * The `sub` of the token that created the account: its owner, the only caller who reads its
   * private fields and acts for it (see "Security" in the README). Never part of an answer.
   * Absent on accounts created before the API had authentication (nobody owns those).
   */
  ownerId: Type.Optional(Type.String()),
});

export type Account = Static<typeof AccountRecord>;

/** The API's answer (`components.schemas.Account`): the serializer leaves the owner out. */
export const AccountSchema = Type.Omit(AccountRecord, ['ownerId'], { $id: 'Account' });

/** POST /v1/accounts: what a caller chooses; the rest is set by the server. */
export const CreateAccountBody = Type.Pick(
  AccountRecord,
  ['email', 'displayName', 'walletAddress'],
  {
    additionalProperties: false,
  },
);

export type CreateAccountInput = Static<typeof CreateAccountBody>;
