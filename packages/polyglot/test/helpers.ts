// The repository tests' entity, so the polyglot suites (memory and PostgreSQL) speak alike.

/** Deterministic PRNG for reproducible random op streams. */
export { seededRandom as rng } from '../../../test-support/seeded-random.js';
export { Account, type AccountT, account } from '../../repository/test/accounts.js';

/**
 * The query for every item, in no particular order, as the repository port receives it (what a
 * specification without filter, order or paging compiles to).
 */
export const everyItem = {
  kind: 'query',
  entity: null,
  idField: { kind: 'field', path: ['id'], type: null },
  where: null,
  orderBy: [],
  skip: 0,
  take: null,
  select: null,
  after: null,
} as never;
