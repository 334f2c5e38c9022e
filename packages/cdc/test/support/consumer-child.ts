/**
 * A consumer in its own process, for the kill test: it reads slot `argv[3]` of the server at
 * `argv[2]` and appends `id:version` of every handled change to the file `argv[4]` (its sink's
 * effect, flushed before the batch is acknowledged), until the parent SIGKILLs it.
 */
import { appendFileSync } from 'node:fs';
import { consumeChanges, postgresChangeSource } from '@mystira/cdc';

const [url, slot, file] = process.argv.slice(2) as [string, string, string];
const source = postgresChangeSource({
  connection: url,
  slot,
  tables: ['cdc_notes'],
  maxBatchSize: 20,
  statusIntervalMs: 50,
});
await consumeChanges(
  source,
  {
    async handle(batch) {
      const lines = batch.events.map((e) => `${String(e.key.id)}:${String(e.row?.version)}\n`);
      if (lines.length > 0) appendFileSync(file, lines.join(''));
      // A slow sink: the consumer falls behind, and a kill often lands between the effect and
      // the acknowledgement (the change then comes again after the restart).
      await new Promise((r) => setTimeout(r, 1));
    },
  },
  { signal: new AbortController().signal },
);
