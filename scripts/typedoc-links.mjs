// @ts-check
/**
 * A TypeDoc plugin of the API reference (typedoc.json `plugin`), for a link we cannot fix at
 * its source: cockatiel's own comment on `BulkheadPolicy.execute`, which @mystira/resilience
 * re-exports, links to `BulkheadRejectedException`, a name cockatiel does not have (its class is
 * `BulkheadRejectedError`). With invalidLink validation on, that one dangling link would fail the
 * build; it is pointed at cockatiel's bulkhead documentation instead.
 */

/** Names cockatiel's comments link to that it does not export, and where they should go. */
const cockatielLinks = new Map([
  ['BulkheadRejectedException', 'https://github.com/connor4312/cockatiel#bulkheadlimit-queue'],
]);

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.addUnknownSymbolResolver((ref) => {
    if (ref.moduleSource !== undefined) return undefined;
    const name = ref.symbolReference?.path?.map((part) => part.path).join('.');
    return name === undefined ? undefined : cockatielLinks.get(name);
  });
}
