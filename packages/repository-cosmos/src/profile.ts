/**
 * Capability profiles: what the target's query engine runs. The compiler emits only constructs
 * the profile lists and rewrites or relaxes the rest (see the README's capability table).
 *
 * - `azure`: the real Azure Cosmos DB service (and the official emulators).
 * - `cosmosdb-server`: `@vercel/cosmosdb-server`, the in-process JavaScript implementation the
 *   tests run on. Its query engine has no LIKE, no OFFSET/LIMIT, no DISTINCT, no three-argument
 *   (ignore-case) STARTSWITH/ENDSWITH/CONTAINS, no STRINGEQUALS, drops rows with a missing sort
 *   key from single-key ORDER BY, its transactional batch is not atomic, and replacing a
 *   container (to change its indexes) deletes its documents.
 */
export interface CapabilityProfile {
  /** The profile's name: `azure`, `cosmosdb-server`, or your own. */
  readonly name: 'azure' | 'cosmosdb-server' | (string & {});
  /** `x LIKE @p ESCAPE '\'`. */
  readonly like: boolean;
  /** `STARTSWITH(x, @p, true)` and friends, and `STRINGEQUALS(x, @p, true)`. */
  readonly ignoreCaseFunctions: boolean;
  /** `OFFSET n LIMIT m`. The compiler uses `TOP` + continuation instead on every profile; kept for callers. */
  readonly offsetLimit: boolean;
  /** Transactional batch is all-or-none (used by `addMany` when every item shares a partition key). */
  readonly atomicBatch: boolean;
  /**
   * Render filters as OR-of-ANDs without parentheses. cosmosdb-server's query parser takes time
   * exponential in parenthesis depth (depth 4 already costs seconds); a filter too large to
   * flatten is relaxed to a superset and re-checked in memory.
   */
  readonly flatWhere: boolean;
  /**
   * Replacing a container's indexing policy keeps its documents (the service builds the new
   * indexes online). False on cosmosdb-server, whose container replace starts the container
   * empty; a profile that does not say is taken as false, so `ensureContainer` never risks it.
   */
  readonly indexUpdateInPlace?: boolean;
  /**
   * `GROUP BY` with `COUNT`/`SUM`/`MIN`/`MAX` in one query: aggregates are pushed to the service
   * where that is exact. False or absent (cosmosdb-server has no GROUP BY): the matching rows are
   * streamed into the in-memory aggregation.
   */
  readonly aggregates?: boolean;
}

/** The real Azure Cosmos DB service (and the official emulators): every construct is available. */
export const azureProfile: CapabilityProfile = Object.freeze({
  name: 'azure',
  like: true,
  ignoreCaseFunctions: true,
  offsetLimit: true,
  atomicBatch: true,
  flatWhere: false,
  indexUpdateInPlace: true,
  aggregates: true,
});

/**
 * `@vercel/cosmosdb-server`, the in-process implementation the tests run on: no LIKE, no
 * ignore-case string functions, no OFFSET/LIMIT, a non-atomic batch, flat filters, and no index
 * change on a container that holds documents.
 */
export const cosmosdbServerProfile: CapabilityProfile = Object.freeze({
  name: 'cosmosdb-server',
  like: false,
  ignoreCaseFunctions: false,
  offsetLimit: false,
  atomicBatch: false,
  flatWhere: true,
  indexUpdateInPlace: false,
  aggregates: false,
});

/** The built-in profiles by name. */
export const profiles: Readonly<Record<'azure' | 'cosmosdb-server', CapabilityProfile>> =
  Object.freeze({ azure: azureProfile, 'cosmosdb-server': cosmosdbServerProfile });

/** A profile by name, or the profile given; `azure` when none is. */
export function resolveProfile(
  profile: CapabilityProfile | 'azure' | 'cosmosdb-server' | undefined,
): CapabilityProfile {
  if (profile === undefined) return azureProfile;
  if (typeof profile === 'string') {
    const p = profiles[profile];
    if (!p) throw new TypeError(`unknown Cosmos capability profile "${profile}"`);
    return p;
  }
  return profile;
}
