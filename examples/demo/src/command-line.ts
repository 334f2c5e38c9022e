/**
 * `npm run demo`'s command line: its options, their checks and the help text. Imports nothing
 * built (main.ts parses the command line before the build runs).
 */
import { parseArgs } from 'node:util';

/** The ledgers the demo's Chain host can run on (see chain-ledger.ts). */
export const DEMO_LEDGERS = ['story', 'devnet'] as const;
export type DemoLedgerChoice = (typeof DEMO_LEDGERS)[number];

export const HELP = `npm run demo [-- options]

Starts the Mystira system on embedded defaults — a local token issuer, PostgreSQL (embedded,
data kept in .mystira-demo/), Cosmos DB (in-process cosmosdb-server), the memory cache, the
Chain host (the Story ledger on an embedded EVM chain with Story TEST contracts), the App
API and the Publisher page — runs a scripted
publish-a-story scenario with the demo users' tokens, prints the URLs and a token for each
demo user, and serves until Ctrl-C.

Options
  --once            run the scenario, stop everything, exit 0 when it passed and 1 when not
  --no-build        do not check/rebuild the packages first
  --ledger LEDGER   the Chain host's ledger: story (default: Story's SDK against an embedded
                    EVM chain in this process, with Story TEST contracts, not Story Protocol)
                    or devnet (the in-process simulator)
  --data-dir DIR    where embedded PostgreSQL and the saved state live (default .mystira-demo/;
                    also DEMO_DATA_DIR). One demo at a time per folder: a second one on the
                    same folder is refused, naming the first; give it another folder.
  -h, --help        this text

Use real services instead of the embedded ones
  DATABASE_URL=postgres://…          PostgreSQL (PG_SCHEMA picks the schema, default "app")
  COSMOS_ENDPOINT=… COSMOS_KEY=…     Cosmos DB (the emulator or an account)
  REDIS_URL=redis://…                Redis instead of the memory cache store (its entries
                                     signed with CACHE_SIGNING_KEYS, else a key made per run)
  CHAIN_URL=http://…                 a running Chain service (CHAIN_API_KEY if it needs one)

Ports (0 = any free port)
  DEMO_WEB_PORT (5173)  DEMO_API_PORT (8080)  DEMO_CHAIN_PORT (50051)  DEMO_ISSUER_PORT (0)
  DEMO_POSTGRES_PORT (0)  DEMO_COSMOS_PORT (0)  DEMO_HOST (127.0.0.1)
`;

/** What the command line asks for. */
export interface DemoArgs {
  once: boolean;
  noBuild: boolean;
  dataDir?: string;
  ledger: DemoLedgerChoice;
  help: boolean;
}

/** An option the demo does not know, or a value it cannot use; the message says which. */
export class CommandLineError extends Error {
  override readonly name = 'CommandLineError';
}

/** Parses `args` (process.argv without node and the script). */
export function parseDemoArgs(args: readonly string[]): DemoArgs {
  let values: {
    once: boolean;
    'no-build': boolean;
    'data-dir'?: string;
    ledger: string;
    help: boolean;
  };
  try {
    values = parseArgs({
      args: [...args],
      options: {
        once: { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        ledger: { type: 'string', default: 'story' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new CommandLineError(error instanceof Error ? error.message : String(error));
  }
  const ledger = values.ledger.toLowerCase();
  if (!(DEMO_LEDGERS as readonly string[]).includes(ledger))
    throw new CommandLineError(
      `--ledger must be ${DEMO_LEDGERS.join(' or ')}, got "${values.ledger}"`,
    );
  return {
    once: values.once,
    noBuild: values['no-build'],
    ...(values['data-dir'] !== undefined && { dataDir: values['data-dir'] }),
    ledger: ledger as DemoLedgerChoice,
    help: values.help,
  };
}
