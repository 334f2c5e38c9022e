// Type-level tests, checked by `tsc -p packages/polyglot/tsconfig.json`; at run time they only
// build mirrors. Issue 18: the mirror factories returned `MirrorStore<object>` unless the item
// type was named.
import { type MemoryMirror, memoryMirror } from '@mystira/polyglot';
import { type PgMirror, postgresMirror } from '@mystira/polyglot/postgres';
import type { Repository } from '@mystira/repository';
import { type PgDatabase, postgresRepository } from '@mystira/repository-postgres';
import { entity, field, type Infer } from '@mystira/specification';
import { describe, expectTypeOf, it } from 'vitest';

const Product = entity('products', {
  id: field.string(),
  name: field.string(),
  price: field.number(),
});
type ProductT = Infer<typeof Product>;

describe('mirror factories: item types', () => {
  it('memoryMirror infers the item type from the entity, or keeps the one named', () => {
    expectTypeOf(memoryMirror(Product)).toEqualTypeOf<MemoryMirror<ProductT>>();
    expectTypeOf(memoryMirror(Product).repository).toEqualTypeOf<Repository<ProductT>>();
    expectTypeOf(memoryMirror<{ id: string }>(Product)).toEqualTypeOf<
      MemoryMirror<{ id: string }>
    >();
  });

  it('postgresMirror takes its item type from the repository', () => {
    const mirror = (db: PgDatabase) => postgresMirror(db, postgresRepository(db, Product));
    expectTypeOf(mirror).returns.toEqualTypeOf<PgMirror<ProductT>>();
  });
});
