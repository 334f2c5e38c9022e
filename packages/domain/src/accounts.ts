/**
 * `Account` — container `Accounts`, partition `/id` (reference 1.2.1). Documents of the legacy
 * domain have no status, type or security fields and no soft-delete fields, and keep the
 * provider id only under its old name `ExternalUserId`.
 */
import {
  aliased,
  booleanField,
  commaListField,
  dateField,
  entityCodec,
  enumField,
  numberField,
  objectField,
  stringArrayField,
  stringField,
} from '@mystira/repository';
import { codecOf, legacyWithout, softDeletableFields } from './base.js';
import {
  AccountStatus,
  type AccountStatusName,
  AccountType,
  type AccountTypeName,
  AuthProvider,
  type AuthProviderName,
  SubscriptionType,
  type SubscriptionTypeName,
} from './enums.js';

/** The account's subscription (`SubscriptionDetails`, owned). */
const subscription = objectField('Subscription', {
  id: stringField('Id'),
  type: enumField('Type', SubscriptionType),
  productId: stringField('ProductId'),
  validUntil: dateField('ValidUntil').nullable(),
  isActive: booleanField('IsActive', { default: true }),
  purchaseToken: stringField('PurchaseToken').nullable(),
  lastVerified: dateField('LastVerified').nullable(),
  purchasedScenarios: commaListField('PurchasedScenarios'),
  tier: stringField('Tier', { default: 'Free' }),
  startDate: dateField('StartDate').nullable(),
  endDate: dateField('EndDate').nullable(),
});

/** The account's settings (`AccountSettings`, owned, nullable). */
const settings = objectField('Settings', {
  id: stringField('Id'),
  cacheCredentials: booleanField('CacheCredentials', { default: true }),
  requireAuthOnStartup: booleanField('RequireAuthOnStartup'),
  preferredLanguage: stringField('PreferredLanguage', { default: 'en' }),
  notificationsEnabled: booleanField('NotificationsEnabled', { default: true }),
  theme: stringField('Theme', { default: 'Light' }),
}).nullable();

/** Audit fields every current-domain entity has (`Entity`). */
export interface Audited {
  /** When it was created (set by the App on insert). */
  createdAt: string;
  /** When it was last updated, or null. */
  updatedAt: string | null;
  /** Who created it: null in practice (no host sets the user). */
  createdBy: string | null;
  /** Who last updated it: null in practice. */
  updatedBy: string | null;
}

/** The soft-delete fields (`SoftDeletableEntity`): the App never deletes such documents. */
export interface SoftDeletable extends Audited {
  /** Whether it was deleted. */
  isDeleted: boolean;
  /** When it was deleted, or null. */
  deletedAt: string | null;
  /** Who deleted it: null in practice. */
  deletedBy: string | null;
}

/** An account's subscription (`SubscriptionDetails`). */
export interface Subscription {
  /** Its id (`""` by default). */
  id: string;
  /** The plan. */
  type: SubscriptionTypeName;
  /** The app-store product id. */
  productId: string;
  /** Paid until, or null. */
  validUntil: string | null;
  /** Whether it is active (default true). */
  isActive: boolean;
  /** The store's purchase token, or null. */
  purchaseToken: string | null;
  /** When the purchase was last verified, or null. */
  lastVerified: string | null;
  /** Scenario ids bought one by one (stored comma-joined). */
  purchasedScenarios: string[];
  /** The tier's name (default `Free`). */
  tier: string;
  /** Start, or null. */
  startDate: string | null;
  /** End, or null (legacy documents hold `DateTime.MaxValue`). */
  endDate: string | null;
}

/** An account's app settings (`AccountSettings`). */
export interface AccountSettings {
  /** Its id. */
  id: string;
  /** Keep credentials on the device (default true). */
  cacheCredentials: boolean;
  /** Ask to sign in when the app starts. */
  requireAuthOnStartup: boolean;
  /** UI language (default `en`). */
  preferredLanguage: string;
  /** Notifications on (default true). */
  notificationsEnabled: boolean;
  /** UI theme (default `Light`). */
  theme: string;
}

/** An account (reference 1.2.1); dates are instants in `toISOString()` form. */
export interface Account extends SoftDeletable {
  /** The account id (a GUID), also the partition key. */
  id: string;
  /** E-mail; the App compares it case-insensitively. */
  email: string;
  /** Never assigned by the App (always `""`). */
  normalizedEmail: string;
  /** Whether the e-mail was confirmed. */
  emailConfirmed: boolean;
  /** Password hash, or null. */
  passwordHash: string | null;
  /** Status (default `PendingVerification`). */
  status: AccountStatusName;
  /** Account type. */
  type: AccountTypeName;
  /** Role name, or null (legacy default `Guest`). */
  role: string | null;
  /** How the user signs in. */
  authProvider: AuthProviderName;
  /** Entra ID object id, or null. */
  entraObjectId: string | null;
  /** The identity provider's user id (stored as `ExternalProviderId` and `ExternalUserId`). */
  externalProviderId: string | null;
  /** Display name. */
  displayName: string;
  /** The account's profile ids (stored comma-joined). */
  userProfileIds: string[];
  /** Completed scenario ids, or null. */
  completedScenarioIds: string[] | null;
  /** The subscription. */
  subscription: Subscription;
  /** App settings, or null. */
  settings: AccountSettings | null;
  /** Last sign-in, or null. */
  lastLoginAt: string | null;
  /** Failed sign-ins since the last success. */
  failedLoginAttempts: number;
  /** Locked out until, or null. */
  lockoutEndAt: string | null;
  /** Changes when credentials change. */
  securityStamp: string;
  /** Refresh token, or null. */
  refreshToken: string | null;
  /** Refresh token expiry, or null. */
  refreshTokenExpiresAt: string | null;
  /** Whether two-factor sign-in is on. */
  twoFactorEnabled: boolean;
  /** The two-factor secret, or null. */
  twoFactorSecretKey: string | null;
}

const accountCodec = entityCodec({
  container: 'Accounts',
  type: 'Account',
  fields: {
    id: stringField('id'),
    email: stringField('Email'),
    normalizedEmail: stringField('NormalizedEmail'),
    emailConfirmed: booleanField('EmailConfirmed'),
    passwordHash: stringField('PasswordHash').nullable(),
    status: enumField('Status', AccountStatus, { default: 'PendingVerification' }),
    type: enumField('Type', AccountType),
    role: stringField('Role').nullable(),
    authProvider: enumField('AuthProvider', AuthProvider),
    entraObjectId: stringField('EntraObjectId').nullable(),
    externalProviderId: aliased(stringField('ExternalProviderId').nullable(), 'ExternalUserId'),
    displayName: stringField('DisplayName'),
    userProfileIds: commaListField('UserProfileIds'),
    completedScenarioIds: stringArrayField('CompletedScenarioIds').nullable(),
    subscription,
    settings,
    lastLoginAt: dateField('LastLoginAt').nullable(),
    failedLoginAttempts: numberField('FailedLoginAttempts'),
    lockoutEndAt: dateField('LockoutEndAt').nullable(),
    securityStamp: stringField('SecurityStamp'),
    refreshToken: stringField('RefreshToken').nullable(),
    refreshTokenExpiresAt: dateField('RefreshTokenExpiresAt').nullable(),
    twoFactorEnabled: booleanField('TwoFactorEnabled'),
    twoFactorSecretKey: stringField('TwoFactorSecretKey').nullable(),
    ...softDeletableFields(),
  },
  generations: [
    // No legacy model was soft-deletable, and EF writes every current property (IsDeleted is a
    // non-null bool), so a document without IsDeleted is a legacy one [inferred from 1.1/1.2.1].
    legacyWithout('IsDeleted', {
      rename: { ExternalUserId: 'ExternalProviderId' },
    }),
  ],
});

/** The codec of `Accounts` documents (both generations): use it with `mapped()`. */
export const accounts = codecOf<Account>()(accountCodec);
