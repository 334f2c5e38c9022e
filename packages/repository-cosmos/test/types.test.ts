// Type-level tests, checked by `tsc -p packages/repository-cosmos/tsconfig.json`; nothing here
// talks to Cosmos DB. Issue 18: `cosmosRepository(Product, …)` was a `Repository<object>`.
import type { Container } from '@azure/cosmos';
import type { Repository } from '@mystira/repository';
import { type CosmosRepository, cosmosRepository } from '@mystira/repository-cosmos';
import { entity, field, type Infer } from '@mystira/specification';
import { describe, expectTypeOf, it } from 'vitest';

const Product = entity('products', {
  id: field.string(),
  name: field.string(),
  price: field.number(),
});
type ProductT = Infer<typeof Product>;

describe('cosmosRepository: item types', () => {
  it('infers the item type from the entity, or keeps the one named', () => {
    const inferred = (container: Container) => cosmosRepository(Product, { container });
    const named = (container: Container) =>
      cosmosRepository<{ id: string }>(Product, { container });
    const assigned = (container: Container): Repository<ProductT> =>
      cosmosRepository(Product, { container });
    expectTypeOf(inferred).returns.toEqualTypeOf<CosmosRepository<ProductT>>();
    expectTypeOf(named).returns.toEqualTypeOf<CosmosRepository<{ id: string }>>();
    expectTypeOf(assigned).returns.toEqualTypeOf<Repository<ProductT>>();
    const wrongItem = (container: Container) =>
      // @ts-expect-error price is a number: the inferred item type is checked
      inferred(container).add({ id: 'p1', name: 'Pen', price: '1' });
    expectTypeOf(wrongItem).toBeFunction();
  });
});
