/**
 * `npm run demo`: builds what is out of date, starts the whole system on embedded defaults
 * (see system.ts), runs the publish-a-story scenario over the App API, prints the URLs and serves
 * until Ctrl-C. `--once` runs the scenario and exits 0 (passed) or 1 (failed).
 *
 * Nothing here imports a built package before the build has run, so it works right after
 * `npm ci` on a fresh clone. The data folder is locked first of all, so a second demo on the same
 * folder is refused before it builds or starts anything.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CommandLineError, type DemoArgs, HELP, parseDemoArgs } from './command-line.ts';
import {
  type DataFolderLock,
  DataFolderLockedError,
  DEFAULT_DATA_DIR,
  lockDataFolder,
  REPO_ROOT,
} from './data-folder.ts';
import { PREVIOUS_RUN_STEP } from './scenario.ts';

const write = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function parseCommandLine(): DemoArgs {
  try {
    return parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    process.stderr.write(`${error.message}\n\n${HELP}`);
    process.exit(2);
  }
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    process.stderr.write(`${name} must be a port number (0 for any free port), got "${raw}"\n`);
    process.exit(2);
  }
  return value;
}

/**
 * Runs `scripts/build.mjs --changed`, showing one line per package and the log on failure.
 * False when the build failed (or was interrupted: `signal`).
 */
async function buildWhatChanged(signal: AbortSignal): Promise<boolean> {
  write('Building the packages (only what changed; the first build takes a few minutes)');
  const started = performance.now();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs'), '--changed'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let transcript = '';
  let built = 0;
  let pending = '';
  const onChunk = (chunk: Buffer) => {
    transcript += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^▶ build (\S+)/.exec(line);
      if (match) {
        built += 1;
        write(`  ▶ ${match[1]}`);
      }
    }
  };
  child.stdout.on('data', onChunk);
  child.stderr.on('data', onChunk);
  const stopBuild = () => child.kill('SIGINT');
  signal.addEventListener('abort', stopBuild, { once: true });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  signal.removeEventListener('abort', stopBuild);
  if (signal.aborted) return false;
  if (code !== 0) {
    process.stderr.write(`${transcript}\n`);
    write(`  ✗ the build failed (log above). Fix it, or run "npm run build" to see it on its own.`);
    return false;
  }
  write(
    `  ✓ ${built === 0 ? 'everything up to date' : `${built} package(s) built`} (${seconds(performance.now() - started)})`,
  );
  return true;
}

const COMPONENT_NAMES = {
  data: 'Data folder',
  issuer: 'Token issuer',
  postgres: 'PostgreSQL',
  cosmos: 'Cosmos DB',
  redis: 'Cache',
  chain: 'Chain host',
  api: 'App API',
  web: 'Publisher page',
} as const;

/** Locks the data folder, or says who holds it and what to do (undefined then). */
function lockOrExplain(dataDir: string): DataFolderLock | undefined {
  try {
    return lockDataFolder(dataDir);
  } catch (error) {
    if (!(error instanceof DataFolderLockedError)) throw error;
    write(`  ✗ ${error.message}`);
    write(
      `    what to do: stop that demo first (Ctrl-C in its terminal, or kill ${error.holder.pid}), or give this one a folder of its own: npm run demo -- --data-dir <dir> (or DEMO_DATA_DIR=<dir>)`,
    );
    return undefined;
  }
}

async function main() {
  const args = parseCommandLine();
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const chosenDataDir = args.dataDir ?? process.env.DEMO_DATA_DIR;
  const dataDir = resolve(chosenDataDir ?? DEFAULT_DATA_DIR);
  const lock = lockOrExplain(dataDir);
  if (!lock) return 1;
  if (lock.replaced) write(`  ! Data folder    took over a stale lock: ${lock.replaced.reason}`);
  try {
    return await run(args, chosenDataDir, lock);
  } finally {
    // Also released on process.exit() (a second Ctrl-C): see lockDataFolder.
    lock.release();
  }
}

async function run(args: DemoArgs, chosenDataDir: string | undefined, lock: DataFolderLock) {
  const { dataDir } = lock;
  const shutdown = new AbortController();
  let interrupted = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted += 1;
    if (interrupted > 1) {
      write(`\n${signal} again: exiting without a clean shutdown`);
      process.exit(130);
    }
    write(`\n${signal}: stopping (press Ctrl-C again to force)`);
    shutdown.abort(new Error(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  if (!args.noBuild && !(await buildWhatChanged(shutdown.signal))) {
    return shutdown.signal.aborted ? 130 : 1;
  }

  let systemModule: typeof import('./system.ts');
  try {
    systemModule = await import('./system.ts');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    write(`  ✗ a package is not built: ${(error as Error).message.split('\n')[0]}`);
    write('    what to do: run "npm run demo" without --no-build, or "npm run build".');
    return 1;
  }
  const { startDemoSystem, DemoComponentError } = systemModule;
  const { runScenario } = await import('./scenario.ts');
  const { DEMO_USERS } = await import('./identities.ts');

  write('\nStarting the system');
  const started = performance.now();
  let system: Awaited<ReturnType<typeof startDemoSystem>>;
  try {
    system = await startDemoSystem({
      // Undefined for the default folder: only that one may move elsewhere (see startDemoSystem).
      dataDir: chosenDataDir === undefined ? undefined : dataDir,
      lock,
      host: process.env.DEMO_HOST || '127.0.0.1',
      ports: {
        web: port('DEMO_WEB_PORT', 5173),
        api: port('DEMO_API_PORT', 8080),
        chain: port('DEMO_CHAIN_PORT', 50051),
        issuer: port('DEMO_ISSUER_PORT', 0),
        postgres: port('DEMO_POSTGRES_PORT', 0),
        cosmos: port('DEMO_COSMOS_PORT', 0),
      },
      signal: shutdown.signal,
      ledger: args.ledger,
      logLevel: process.env.LOG_LEVEL ?? 'warn',
      onProgress: (step) => {
        const name = COMPONENT_NAMES[step.component].padEnd(15);
        if (step.state === 'embedded')
          write(
            `  ✓ ${name}${step.detail ?? ''}${step.ms === undefined ? '' : ` (${seconds(step.ms)})`}`,
          );
        else if (step.state === 'external')
          write(`  ✓ ${name}${step.detail ?? ''} (from the environment)`);
        else if (step.state === 'memory') write(`  ✓ ${name}${step.detail ?? ''}`);
        else if (step.state === 'notice') write(`    ${step.detail ?? ''}`);
        else if (step.state === 'warning') write(`  ! ${name}${step.detail ?? ''}`);
      },
    });
  } catch (error) {
    if (shutdown.signal.aborted) return 130;
    if (error instanceof DemoComponentError) {
      write(`  ✗ ${COMPONENT_NAMES[error.component]} did not start: ${error.reason}`);
      write(`    what to do: ${error.hint}`);
      if (error.cause instanceof Error && error.cause.stack && process.env.DEMO_DEBUG)
        write(error.cause.stack);
      else write('    (DEMO_DEBUG=1 npm run demo shows the stack trace)');
    } else {
      write(
        `  ✗ the system did not start: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
      );
    }
    return 1;
  }
  write(`  all up in ${seconds(performance.now() - started)}; data in ${dataDir}`);

  write('\nPublish-a-story scenario');
  const scenarioStarted = performance.now();
  let result: Awaited<ReturnType<typeof runScenario>> | undefined;
  try {
    result = await runScenario({
      apiUrl: system.apiUrl,
      tokens: system.tokens,
      previous: system.previousRun,
      // An embedded ledger says whether it serves licensing; another host's is tried.
      ...(system.ledger ? { licensing: system.ledger.ip } : {}),
      signal: shutdown.signal,
    });
  } catch (error) {
    if (!shutdown.signal.aborted) {
      write(
        `  ✗ the scenario could not reach the App API at ${system.apiUrl}: ${error instanceof Error ? error.message : error}`,
      );
    }
  }
  let passed = false;
  try {
    if (result?.ok && result.ids) {
      // The ids and the snapshot holding what they name are saved together, in one step.
      await system.rememberRun(result.ids);
      passed = true;
      write(`  scenario passed in ${seconds(performance.now() - scenarioStarted)}`);
    } else if (result) {
      if (result.failure?.step === PREVIOUS_RUN_STEP) {
        // Reported once, not at every start from now on.
        await system.rememberRun(undefined);
        write('  the previous run’s ids are forgotten: the next run starts afresh.');
      }
      write(`  scenario FAILED at "${result.failure?.step}". The App API answered as shown above;`);
      write(
        '  its log (LOG_LEVEL=info npm run demo) and GET /readyz tell which dependency is at fault.',
      );
    }
  } catch (error) {
    write(
      `  ✗ the saved state could not be written to ${dataDir}: ${error instanceof Error ? error.message : error}`,
    );
  }

  write('\nOpen');
  write(`  Publisher page   ${system.webUrl}`);
  write(`  API docs         ${system.apiUrl}/docs`);
  write(`  Health           ${system.apiUrl}/healthz   ${system.apiUrl}/readyz`);
  write(`  Chain service    ${system.chainUrl}  (gRPC, gRPC-Web and Connect)`);
  if (system.ledger?.rpcUrl)
    write(
      `  Chain node       ${system.ledger.rpcUrl}  (embedded EVM JSON-RPC, chain id 1315: Story TEST contracts, not Story Protocol)`,
    );
  write(`  Token issuer     ${system.issuerUrl}/.well-known/openid-configuration`);

  write('\nSign in (tokens valid 12 h, until the demo stops: its keys are made at every start)');
  for (const [name, user] of Object.entries(DEMO_USERS)) {
    const roles = user.roles.length > 0 ? `, roles ${user.roles.join(' ')}` : '';
    write(`  ${user.name} — sub ${user.subject}${roles}`);
    write(`    ${system.tokens[name as keyof typeof DEMO_USERS]}`);
  }
  write('  The Publisher page, signed in (the token travels in the #fragment, never to a server):');
  write(`    as Ada     ${system.webUrl}/#token=${system.tokens.ada}`);
  write(`    as Grace   ${system.webUrl}/#token=${system.tokens.grace}`);
  write('  The API docs: "Authorize" with a token, then "Try it out". With curl:');
  write(`    curl -H "authorization: Bearer <token>" ${system.apiUrl}/v1/stories`);

  if (!args.once && !shutdown.signal.aborted) {
    write('\nServing until Ctrl-C');
    await new Promise<void>((done) =>
      shutdown.signal.addEventListener('abort', () => done(), { once: true }),
    );
  }
  write('\nStopping');
  await system.stop();
  write('  stopped');
  if (interrupted) return passed || !args.once ? 0 : 1;
  return passed ? 0 : 1;
}

process.exitCode = await main();
// Embedded servers' handles (timers, keep-alive agents) must not keep a finished demo alive.
setTimeout(() => process.exit(), 200).unref();
