/**
 * A random stream of creates/updates/deletes against a polyglot repository, shared by the fault
 * tests and the crash child. Logical outcomes (exists / not found / lost a version race) are
 * normal answers of the port; anything else is a failed write the app would have seen.
 */
import {
  AlreadyExistsError,
  ConcurrencyError,
  NotFoundError,
  type Repository,
} from '@mystira/repository';
import { type AccountT, account, rng } from './helpers.js';

export interface WorkloadResult {
  done: number;
  failed: { op: string; id: string; error: string }[];
}

export async function randomWrites(
  repo: Repository<AccountT>,
  options: {
    ops: number;
    ids: number;
    workers: number;
    seed: number;
    onOp?: (n: number) => void | Promise<void>;
    signal?: AbortSignal;
  },
): Promise<WorkloadResult> {
  const random = rng(options.seed);
  const result: WorkloadResult = { done: 0, failed: [] };
  let issued = 0;
  const worker = async () => {
    while (issued < options.ops && !options.signal?.aborted) {
      const n = issued++;
      const id = `acc${String(Math.floor(random() * options.ids)).padStart(4, '0')}`;
      const r = random();
      const op = r < 0.3 ? 'add' : r < 0.6 ? 'update' : r < 0.8 ? 'upsert' : 'delete';
      try {
        if (op === 'add') await repo.add(account(id, { balance: n, tags: [`t${n % 7}`] }));
        else if (op === 'upsert') await repo.upsert(account(id, { name: `u${n}`, balance: n }));
        else if (op === 'delete') await repo.delete(id);
        else {
          const cur = await repo.getById(id);
          if (cur) await repo.update({ ...cur, balance: cur.balance + 1, name: `v${n}` });
        }
      } catch (err) {
        if (
          !(
            err instanceof AlreadyExistsError ||
            err instanceof NotFoundError ||
            err instanceof ConcurrencyError
          )
        ) {
          result.failed.push({
            op,
            id,
            error: `${(err as Error).name}: ${(err as Error).message}`,
          });
        }
      }
      result.done++;
      await options.onOp?.(result.done);
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
  return result;
}
