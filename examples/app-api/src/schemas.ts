/**
 * Every JSON schema of the API in one place. Fastify validates requests and serializes responses
 * with them, and @fastify/swagger turns the same objects into the OpenAPI document, so the docs
 * cannot drift from what the server enforces. Shared shapes are registered with `$id` and referred
 * to as `{ $ref: 'Name#' }`; they become `components.schemas.Name`. The account's schemas are
 * derived from its one declaration in account.ts.
 */

import { AccountSchema, id, isoDate, walletAddress } from './account.ts';
import {
  LicenseChoiceBody,
  ScenarioRegistrationSchema,
  StoryLicenseSchema,
} from './licensing-schemas.ts';

const weiAmount = {
  type: 'string',
  pattern: '^[1-9][0-9]{0,77}$',
  description: 'a positive amount in wei, as a decimal string (it exceeds 2^53)',
} as const;

export const ProblemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          field: { type: 'string', description: 'JSON pointer into the request part' },
          message: { type: 'string' },
        },
        required: ['field', 'message'],
      },
    },
    retryable: { type: 'boolean' },
    traceId: { type: 'string' },
  },
  required: ['type', 'title', 'status'],
} as const;

export const ScenarioSchema = {
  $id: 'Scenario',
  type: 'object',
  properties: {
    id,
    title: { type: 'string' },
    body: { type: 'string' },
    registration: { $ref: 'ScenarioRegistration#' },
  },
  required: ['id', 'title', 'body'],
} as const;

export const StoryContributorSchema = {
  $id: 'StoryContributor',
  type: 'object',
  description: 'accountId and walletAddress are in the author’s view only',
  properties: {
    accountId: id,
    walletAddress,
    shareBasisPoints: { type: 'integer' },
    role: { type: 'string' },
  },
  required: ['shareBasisPoints', 'role'],
} as const;

export const StoryRegistrationSchema = {
  $id: 'StoryRegistration',
  type: 'object',
  description: 'idempotencyKey and error are in the author’s view only',
  properties: {
    state: { type: 'string', enum: ['pending', 'submitted', 'confirmed', 'failed'] },
    idempotencyKey: { type: 'string' },
    requestedAt: isoDate,
    updatedAt: isoDate,
    ipAssetId: { type: 'string' },
    txHash: { type: 'string' },
    blockNumber: { type: 'string' },
    confirmations: { type: 'integer' },
    error: { type: 'string' },
  },
  required: ['state', 'requestedAt', 'updatedAt'],
} as const;

export const StorySchema = {
  $id: 'Story',
  type: 'object',
  description:
    'The author sees every field; anyone else sees a published story without authorId, ' +
    'contributor account ids and wallets, and the registration’s idempotencyKey and error',
  properties: {
    id,
    authorId: id,
    title: { type: 'string' },
    summary: { type: 'string' },
    scenarios: { type: 'array', items: { $ref: 'Scenario#' } },
    contributors: { type: 'array', items: { $ref: 'StoryContributor#' } },
    status: { type: 'string', enum: ['draft', 'published'] },
    registration: { $ref: 'StoryRegistration#' },
    license: { $ref: 'StoryLicense#' },
    createdAt: isoDate,
    updatedAt: isoDate,
    version: { type: 'integer' },
  },
  required: [
    'id',
    'title',
    'summary',
    'scenarios',
    'contributors',
    'status',
    'createdAt',
    'updatedAt',
  ],
} as const;

/** Registered on the Fastify instance before any route refers to them. */
export const sharedSchemas = [
  ProblemSchema,
  AccountSchema,
  ScenarioRegistrationSchema,
  StoryLicenseSchema,
  ScenarioSchema,
  StoryContributorSchema,
  StoryRegistrationSchema,
  StorySchema,
];

// ---- request bodies and parameters ----------------------------------------------------------

const scenarioInput = {
  type: 'object',
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 200 },
    body: { type: 'string', maxLength: 100_000 },
  },
  required: ['title', 'body'],
} as const;

export const CreateStoryBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    authorId: id,
    title: { type: 'string', minLength: 1, maxLength: 200 },
    summary: { type: 'string', maxLength: 2000 },
    scenarios: { type: 'array', maxItems: 100, items: scenarioInput },
    contributors: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          accountId: id,
          shareBasisPoints: { type: 'integer', minimum: 1, maximum: 10_000 },
          role: { type: 'string', minLength: 1, maxLength: 50 },
        },
        required: ['accountId', 'shareBasisPoints', 'role'],
      },
    },
  },
  required: ['authorId', 'title'],
} as const;

export const PatchStoryBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    title: CreateStoryBody.properties.title,
    summary: CreateStoryBody.properties.summary,
    scenarios: CreateStoryBody.properties.scenarios,
  },
} as const;

export const PublishBody = {
  type: 'object',
  additionalProperties: false,
  properties: { license: LicenseChoiceBody },
} as const;

export const PayRoyaltiesBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    amountWei: weiAmount,
    payerReference: { type: 'string', maxLength: 200 },
  },
  required: ['amountWei'],
} as const;

export const ClaimRoyaltiesBody = {
  type: 'object',
  additionalProperties: false,
  properties: { walletAddress },
  required: ['walletAddress'],
} as const;

export const IdParams = {
  type: 'object',
  properties: { id },
  required: ['id'],
} as const;

export const StoryListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    authorId: id,
    status: { type: 'string', enum: ['draft', 'published'] },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: { type: 'string', minLength: 1, maxLength: 2000 },
  },
} as const;

export const IfMatchHeaders = {
  type: 'object',
  properties: {
    'if-match': { type: 'string', description: 'the ETag of the version you read' },
  },
} as const;

export const IdempotencyKeyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

export const PhaseBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    phase: {
      type: 'string',
      enum: [
        'PrimaryOnly',
        'DualWritePrimaryRead',
        'DualWriteSecondaryRead',
        'SecondaryOnly',
        'DualWrite',
      ],
    },
    force: { type: 'boolean', default: false },
  },
  required: ['phase'],
} as const;

// ---- responses ------------------------------------------------------------------------------

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
});

export const problems = {
  400: problem('invalid request (field-level `errors`)'),
  401: problem(
    'no bearer token, or one that does not verify (`WWW-Authenticate: Bearer` says why)',
  ),
  403: problem('the token is valid, but its subject may not do this (not the owner, or no role)'),
  404: problem('not found'),
  409: problem('conflict: duplicate, stale version, or not allowed in this state'),
  412: problem('If-Match does not match the current version'),
  429: problem('too many requests from this caller; retry after `Retry-After` seconds'),
  503: problem('a dependency is unavailable; `retryable: true`'),
};

/**
 * What a route that acts on a story through the chain answers besides its success and the
 * caller's own refusals: no such story, a story not in the state for it, the chain unavailable.
 */
export const storyOnChainProblems = {
  404: problems[404],
  409: problems[409],
  503: problems[503],
};

export const StoryPage = {
  type: 'object',
  properties: {
    items: { type: 'array', items: { $ref: 'Story#' } },
    cursor: { type: ['string', 'null'] },
  },
  required: ['items', 'cursor'],
} as const;

export const RoyaltyPaymentResponse = {
  type: 'object',
  properties: { ipAssetId: { type: 'string' }, txHash: { type: 'string' }, amountWei: weiAmount },
  required: ['ipAssetId', 'txHash', 'amountWei'],
} as const;

export const RoyaltiesResponse = {
  type: 'object',
  properties: {
    ipAssetId: { type: 'string' },
    recipients: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          walletAddress: { type: 'string' },
          shareBasisPoints: { type: 'integer' },
          role: { type: 'string' },
        },
        required: ['walletAddress', 'shareBasisPoints', 'role'],
      },
    },
    claimable: {
      type: 'array',
      items: {
        type: 'object',
        properties: { walletAddress: { type: 'string' }, amountWei: { type: 'string' } },
        required: ['walletAddress', 'amountWei'],
      },
    },
  },
  required: ['ipAssetId', 'recipients', 'claimable'],
} as const;

export const ClaimResponse = {
  type: 'object',
  properties: { txHash: { type: 'string' }, amountWei: { type: 'string' } },
  required: ['txHash', 'amountWei'],
} as const;

export const HealthResponse = {
  type: 'object',
  description: 'the @mystira/health report',
  additionalProperties: true,
  properties: { status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] } },
} as const;
