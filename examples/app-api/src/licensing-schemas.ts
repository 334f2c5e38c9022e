/**
 * JSON schemas of licensing (a story's license terms, scenarios as derivatives), split from
 * schemas.ts to keep that module readable; schemas.ts registers the shared ones and uses the
 * publish body. Like the rest, they are both the validation and the OpenAPI document.
 */
const id = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' } as const;
const isoDate = { type: 'string', format: 'date-time' } as const;
const presets = ['commercialRemix', 'commercialUse', 'nonCommercialSocialRemixing'] as const;
/** Story PIL counts shares in millionths of a percent, so a percentage has six decimals at most. */
const revSharePercent = { type: 'number', minimum: 0, maximum: 100, multipleOf: 0.000001 } as const;

export const StoryLicenseSchema = {
  $id: 'StoryLicense',
  type: 'object',
  description:
    'The story’s license terms: chosen at publishing, attached to its IP asset once the ' +
    'registration is confirmed (state pending until then)',
  properties: {
    preset: { type: 'string', enum: presets },
    revSharePercent: { ...revSharePercent, description: 'commercialRemix: a derivative’s share' },
    state: { type: 'string', enum: ['pending', 'attached', 'failed'] },
    licenseTermsId: { type: 'string', description: 'on-chain id, a decimal string' },
    error: { type: 'string' },
    updatedAt: isoDate,
  },
  required: ['preset', 'state', 'updatedAt'],
} as const;

export const ScenarioRegistrationSchema = {
  $id: 'ScenarioRegistration',
  type: 'object',
  description: 'The scenario as an IP asset, a derivative of the story’s asset',
  properties: {
    state: { type: 'string', enum: ['submitted', 'confirmed', 'failed'] },
    idempotencyKey: { type: 'string' },
    parentIpAssetId: { type: 'string' },
    licenseTermsId: { type: 'string' },
    ipAssetId: { type: 'string' },
    txHash: { type: 'string' },
    error: { type: 'string' },
    requestedAt: isoDate,
    updatedAt: isoDate,
  },
  required: ['state', 'parentIpAssetId', 'licenseTermsId', 'requestedAt', 'updatedAt'],
} as const;

export const LicenseChoiceBody = {
  type: 'object',
  additionalProperties: false,
  description: 'The story’s license terms; the configured default (LICENSE_*) when omitted',
  properties: { preset: { type: 'string', enum: presets }, revSharePercent },
  required: ['preset'],
} as const;

export const ScenarioParams = {
  type: 'object',
  properties: { id, scenarioId: id },
  required: ['id', 'scenarioId'],
} as const;

const link = {
  type: 'object',
  properties: { ipAssetId: { type: 'string' }, licenseTermsId: { type: 'string' } },
  required: ['ipAssetId', 'licenseTermsId'],
} as const;

export const AssetLicensingResponse = {
  type: 'object',
  properties: {
    ipAssetId: { type: 'string' },
    status: { type: 'string' },
    licenseTerms: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          licenseTermsId: { type: 'string' },
          commercialUse: { type: 'boolean' },
          derivativesAllowed: { type: 'boolean' },
          commercialRevSharePercent: { type: 'number' },
          royaltyPolicy: { type: 'string' },
          mintingFeeWei: { type: 'string' },
          currencyToken: { type: 'string' },
        },
        required: ['licenseTermsId', 'commercialUse', 'derivativesAllowed'],
      },
    },
    parents: { type: 'array', items: link },
    children: { type: 'array', items: link },
    childCount: { type: 'integer' },
  },
  required: ['ipAssetId', 'status', 'licenseTerms', 'parents', 'children', 'childCount'],
} as const;
