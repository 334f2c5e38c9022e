/**
 * The publishing service of the App API: publish a story as an IP asset on the Chain service,
 * follow its registration to finality, pay and claim royalties. See story-publisher.ts for the
 * workflow and errors.ts for the typed errors the HTTP layer maps to problem+json.
 */
export {
  ChainRejectedError,
  ChainUnavailableError,
  type ChainViolation,
  type FieldError,
  InvalidRoyaltyRequestError,
  NotRegisteredYetError,
  PublishingError,
  StoryNotFoundError,
  StoryNotPublishableError,
} from './errors.ts';
export {
  type AssetLicensing,
  type LicenseChoice,
  type LicensingConfig,
  LicensingStateError,
  ScenarioNotFoundError,
  scenarioContentId,
} from './licensing.ts';
export { DEFAULT_LICENSING, loadLicensingConfig, WIP_TOKEN } from './licensing-config.ts';
export type { PublisherLogger } from './logging.ts';
export type {
  RoyaltyClaimReceipt,
  RoyaltyPaymentReceipt,
  RoyaltyPaymentRequest,
  StoryRoyalties,
} from './royalties.ts';
export {
  type PublisherCallOptions,
  type PublishOptions,
  StoryPublisher,
  type StoryPublisherDeps,
} from './story-publisher.ts';
