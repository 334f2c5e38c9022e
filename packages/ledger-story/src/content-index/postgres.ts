/**
 * The content index in PostgreSQL, shared by every Chain server instance of a deployment: one
 * table of entries (content id and IP id both unique) and one row of checkpoint per index.
 * `put` is an `INSERT … ON CONFLICT DO NOTHING` followed by a read, so two instances recording
 * the same content id agree on the first one.
 */
import type pg from 'pg';
import { createTablesUnderLock, IDENTIFIER } from '../postgres/create-tables.js';
import type { ContentIndex, ContentIndexEntry } from './index.js';

/** Options of {@link postgresContentIndex}. */
export interface PostgresContentIndexOptions {
  /** The pool (or anything with pg's `query`). */
  pool: Pick<pg.Pool, 'query'>;
  /** Schema of the table. Default `public`. */
  schema?: string;
  /** The table. Default `story_content_index`; its checkpoint is `<table>_checkpoint`. */
  table?: string;
}

/** The PostgreSQL index: a {@link ContentIndex} that can create its tables. */
export interface PostgresContentIndex extends ContentIndex {
  /** Creates the schema and tables if missing; idempotent, safe to run from several instances. */
  migrate(): Promise<void>;
}

/** The index in PostgreSQL. Call `migrate()` once (idempotent) before use. */
export function postgresContentIndex(options: PostgresContentIndexOptions): PostgresContentIndex {
  const schema = options.schema ?? 'public';
  const table = options.table ?? 'story_content_index';
  for (const name of [schema, table]) {
    // Identifiers come from configuration, never from a request; still, only plain names pass.
    if (!IDENTIFIER.test(name))
      throw new TypeError(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  }
  const entries = `"${schema}"."${table}"`;
  const checkpoints = `"${schema}"."${table}_checkpoint"`;
  const { pool } = options;

  const toEntry = (row: Record<string, unknown>): ContentIndexEntry => ({
    contentId: row.content_id as string,
    ipId: row.ip_id as string,
    txHash: row.tx_hash as string,
    nftTokenId: row.nft_token_id as string,
    ...(row.block_number == null ? {} : { blockNumber: BigInt(row.block_number as string) }),
  });
  const select = `SELECT content_id, ip_id, tx_hash, nft_token_id, block_number FROM ${entries}`;

  return {
    async migrate() {
      await createTablesUnderLock(
        pool,
        `${schema}.${table}`,
        `CREATE SCHEMA IF NOT EXISTS "${schema}";
        CREATE TABLE IF NOT EXISTS ${entries} (
          content_id text PRIMARY KEY,
          ip_id text NOT NULL UNIQUE,
          tx_hash text NOT NULL,
          nft_token_id text NOT NULL,
          block_number bigint
        );
        CREATE TABLE IF NOT EXISTS ${checkpoints} (
          id boolean PRIMARY KEY DEFAULT true CHECK (id),
          block_number bigint NOT NULL
        );`,
      );
    },
    async get(contentId) {
      const { rows } = await pool.query(`${select} WHERE content_id = $1`, [contentId]);
      return rows[0] ? toEntry(rows[0]) : undefined;
    },
    async getByIpId(ipId) {
      const { rows } = await pool.query(`${select} WHERE ip_id = $1`, [ipId.toLowerCase()]);
      return rows[0] ? toEntry(rows[0]) : undefined;
    },
    async put(entry) {
      await pool.query(
        `INSERT INTO ${entries} (content_id, ip_id, tx_hash, nft_token_id, block_number)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [
          entry.contentId,
          entry.ipId.toLowerCase(),
          entry.txHash,
          entry.nftTokenId,
          entry.blockNumber?.toString() ?? null,
        ],
      );
      const { rows } = await pool.query(`${select} WHERE content_id = $1`, [entry.contentId]);
      // No row for the content id: the IP id was recorded under another content id, which the
      // chain cannot produce (one registration, one IP account); report what was asked.
      return rows[0] ? toEntry(rows[0]) : { ...entry, ipId: entry.ipId.toLowerCase() };
    },
    async checkpoint() {
      const { rows } = await pool.query(`SELECT block_number FROM ${checkpoints}`);
      return rows[0] ? BigInt(rows[0].block_number as string) : undefined;
    },
    async setCheckpoint(block) {
      await pool.query(
        `INSERT INTO ${checkpoints} (id, block_number) VALUES (true, $1)
         ON CONFLICT (id) DO UPDATE SET block_number = GREATEST(${checkpoints}.block_number, EXCLUDED.block_number)`,
        [block.toString()],
      );
    },
  };
}
