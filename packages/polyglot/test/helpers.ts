// The repository tests' entity, so the polyglot suites (memory and PostgreSQL) speak alike.

/** Deterministic PRNG for reproducible random op streams. */
export { seededRandom as rng } from '../../../test-support/seeded-random.js';
export { Account, type AccountT, account } from '../../repository/test/accounts.js';
