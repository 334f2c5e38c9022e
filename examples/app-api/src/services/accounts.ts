/**
 * Accounts: create and read. Every account is owned by the token subject that created it. Emails
 * are unique per owner (checked first for a friendly 409, and enforced by a unique index in
 * PostgreSQL against races): an owner is told about their own duplicate, while an email someone
 * else registered is nobody's business, so signing up never reveals which emails have accounts.
 * Reads cross the network to PostgreSQL or Cosmos DB (by polyglot phase) and are retried on
 * transient failures; writes are not (an insert that may have landed must not be repeated blindly).
 */
import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, type Repository, UnavailableError } from '@mystira/repository';
import { type Pipeline, pipeline } from '@mystira/resilience';
import type { Account, CreateAccountInput } from '../account.ts';
import { OVERLOAD_DEFAULTS } from '../overload/config.ts';
import { markPolicyErrors } from '../overload/dependencies.ts';
import { isPoolExhausted } from '../overload/unavailable.ts';
import { ApiError, notFound } from '../problems.ts';
import { accountByOwnerAndEmailSpec } from '../queries.ts';

export type { CreateAccountInput } from '../account.ts';

/**
 * Retries transient store failures of reads (safe to repeat) within `timeoutMs` in total
 * (STORE_TIMEOUT_MS). An exhausted pool is not retried: the wait for a connection already took
 * its full time, and queueing again would only add load to a saturated pool.
 */
export function readPolicy(timeoutMs = OVERLOAD_DEFAULTS.storeTimeoutMs): Pipeline {
  // The pipeline's own timeout says which store it cut off (overload/dependencies.ts).
  return markPolicyErrors(
    pipeline({
      timeout: timeoutMs,
      retry: {
        maxAttempts: 3,
        initialDelayMs: 50,
        maxDelayMs: 500,
        idempotent: true,
        shouldRetry: (err) =>
          err instanceof UnavailableError && err.transient && !isPoolExhausted(err),
      },
    }),
  );
}

export class AccountService {
  readonly #accounts: Repository<Account>;
  readonly #reads: Pipeline;

  constructor(accounts: Repository<Account>, reads: Pipeline = readPolicy()) {
    this.#accounts = accounts;
    this.#reads = reads;
  }

  /** Creates an account owned by `ownerId` (the caller's token subject). */
  async create(input: CreateAccountInput, ownerId: string, signal?: AbortSignal): Promise<Account> {
    const email = input.email.trim().toLowerCase();
    const taken = await this.#reads.execute(
      ({ signal: s }) =>
        this.#accounts.any(accountByOwnerAndEmailSpec(ownerId, email), { signal: s }),
      signal,
    );
    if (taken) throw emailTaken(email);
    const now = new Date().toISOString();
    try {
      return await this.#accounts.add(
        {
          id: randomUUID(),
          email,
          displayName: input.displayName.trim(),
          walletAddress: input.walletAddress,
          ownerId,
          createdAt: now,
          updatedAt: now,
        },
        { signal },
      );
    } catch (err) {
      // Lost a race with the same owner's other request for this email: the unique index answered.
      if (err instanceof AlreadyExistsError) throw emailTaken(email);
      throw err;
    }
  }

  async get(id: string, signal?: AbortSignal): Promise<Account> {
    const account = await this.find(id, signal);
    if (!account) throw notFound('account', id);
    return account;
  }

  find(id: string, signal?: AbortSignal): Promise<Account | undefined> {
    return this.#reads.execute(
      ({ signal: s }) => this.#accounts.getById(id, { signal: s }),
      signal,
    );
  }

  findMany(ids: readonly string[], signal?: AbortSignal): Promise<Account[]> {
    return this.#reads.execute(
      ({ signal: s }) => this.#accounts.getMany(ids, { signal: s }),
      signal,
    );
  }
}

/** Only ever said to the owner of the other account with this email. */
function emailTaken(email: string): ApiError {
  return new ApiError(
    409,
    'email-taken',
    'Conflict',
    `you already have an account with email ${email}`,
    {
      errors: [{ field: '/email', message: 'is already registered to one of your accounts' }],
    },
  );
}
