/**
 * The embedded Cosmos DB emulator (`@vercel/cosmosdb-server`, as the demo runs it) in a process
 * of its own, for benchmarks whose host would otherwise run it in-process: a real account is a
 * remote service, so its query work must not run on (and stall) the measured host's event loop
 * or count in that host's CPU time.
 *
 * IPC: sends `{ endpoint, key }` when listening; `'exit'` (or the parent going away) stops it.
 */
const { startEmbeddedCosmos } = (await import(
  new URL('../../examples/demo/src/embedded-cosmos.ts', import.meta.url).href
)) as typeof import('../../examples/demo/src/embedded-cosmos.ts');

const cosmos = await startEmbeddedCosmos({ port: 0 });
const stop = async () => {
  await cosmos.stop().catch(() => {});
  process.exit(0);
};
process.on('message', (msg) => {
  if (msg === 'exit') void stop();
});
process.on('disconnect', () => void stop());
process.send?.({ endpoint: cosmos.endpoint, key: cosmos.key });
