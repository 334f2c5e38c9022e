// Type-level tests: `tsc -p packages/repository/tsconfig.json` checks them (the `typecheck`
// script, `npm run lint`); at run time they only build repositories. Issue 18: the factories
// returned `Repository<object>` unless the item type was named, so a README example such as
// `cached(memoryRepository(Product), …)` failed to compile for a user.
import {
  type DeclaredEntity,
  type MemoryRepository,
  memoryRepository,
  type Repository,
  ValidationError,
} from '@mystira/repository';
import {
  ConformanceItem,
  type ConformanceItemT,
  repositoryConformance,
} from '@mystira/repository/testing';
import { type EntityDef, entity, field, type Infer } from '@mystira/specification';
import { describe, expect, expectTypeOf, it } from 'vitest';

const Product = entity('products', {
  id: field.string(),
  name: field.string(),
  price: field.number(),
  note: field.string().optional(),
});
type ProductT = Infer<typeof Product>;

describe('repository factories: item types', () => {
  it('infers the item type from the entity', async () => {
    const products = memoryRepository(Product);
    expectTypeOf(products).toEqualTypeOf<MemoryRepository<ProductT>>();
    expectTypeOf(products.getById).returns.resolves.toEqualTypeOf<ProductT | undefined>();
    expectTypeOf<Parameters<typeof products.add>[0]>().toEqualTypeOf<ProductT>();
    expectTypeOf(memoryRepository(Product, { seed: [] })).toEqualTypeOf<
      MemoryRepository<ProductT>
    >();

    // Inferred, the item type is checked at compile time as the schema is at run time.
    // @ts-expect-error price is a number
    await expect(products.add({ id: 'p1', name: 'Pen', price: '1' })).rejects.toThrow(
      ValidationError,
    );
    // @ts-expect-error name is required
    await expect(products.add({ id: 'p1', price: 1 })).rejects.toThrow(ValidationError);
    expect(products.size).toBe(0);
  });

  it('keeps an explicitly named item type', () => {
    interface Narrow {
      id: string;
      name: string;
    }
    expectTypeOf(memoryRepository<ProductT>(Product)).toEqualTypeOf<MemoryRepository<ProductT>>();
    expectTypeOf(memoryRepository<Narrow>(Product)).toEqualTypeOf<MemoryRepository<Narrow>>();
  });

  it('takes the item type from the repository the call is assigned to', () => {
    // A wide `EntityDef` says nothing about the items; the contextual type does.
    const create = (e: EntityDef): Repository<ConformanceItemT> => memoryRepository(e);
    const typed: Repository<ProductT> = memoryRepository(Product);
    expect(repositoryConformance({ create }).length).toBeGreaterThan(0);
    expectTypeOf(typed).toEqualTypeOf<Repository<ProductT>>();
    expectTypeOf(memoryRepository(ConformanceItem)).toEqualTypeOf<
      MemoryRepository<ConformanceItemT>
    >();
    // Without either, a wide entity gives what it knows: some object.
    expectTypeOf(memoryRepository(ConformanceItem as EntityDef)).toEqualTypeOf<
      MemoryRepository<object>
    >();
    expectTypeOf<DeclaredEntity<typeof ConformanceItem.shape>>().toEqualTypeOf<
      typeof ConformanceItem
    >();
    expectTypeOf<DeclaredEntity<EntityDef['shape']>>().toBeNever();
  });
});
