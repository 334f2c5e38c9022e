// Type-level tests, checked by `tsc -p packages/repository-postgres/tsconfig.json`; nothing here
// talks to PostgreSQL. Issue 18: `postgresRepository(db, Product)` was a `Repository<object>`.
import type { Repository } from '@mystira/repository';
import {
  type PgDatabase,
  type PostgresRepository,
  postgresRepository,
} from '@mystira/repository-postgres';
import { entity, field, type Infer } from '@mystira/specification';
import { describe, expectTypeOf, it } from 'vitest';

const Product = entity('products', {
  id: field.string(),
  name: field.string(),
  price: field.number(),
});
type ProductT = Infer<typeof Product>;

describe('postgresRepository: item types', () => {
  it('infers the item type from the entity, or keeps the one named', () => {
    const inferred = (db: PgDatabase) => postgresRepository(db, Product, { table: 'products' });
    const named = (db: PgDatabase) => postgresRepository<{ id: string }>(db, Product);
    const assigned = (db: PgDatabase): Repository<ProductT> => postgresRepository(db, Product);
    expectTypeOf(inferred).returns.toEqualTypeOf<PostgresRepository<ProductT>>();
    expectTypeOf(named).returns.toEqualTypeOf<PostgresRepository<{ id: string }>>();
    expectTypeOf(assigned).returns.toEqualTypeOf<Repository<ProductT>>();
    const wrongItem = (db: PgDatabase) =>
      // @ts-expect-error price is a number: the inferred item type is checked
      inferred(db).add({ id: 'p1', name: 'Pen', price: '1' });
    expectTypeOf(wrongItem).toBeFunction();
  });
});
