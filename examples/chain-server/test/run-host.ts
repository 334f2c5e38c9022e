/** Runs the host as `npm start` would (node src/main.ts) in a child process, for the tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const main = join(import.meta.dirname, '../src/main.ts');

const NO_STORY = {
  LEDGER: '',
  CHAIN_RPC_URLS: '',
  SIGNER_PRIVATE_KEY: '',
  STORY_NETWORK: '',
  SPG_NFT_CONTRACT: '',
};

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface RunningHost {
  child: ChildProcess;
  /** Its JSON log lines so far (more arrive while it runs). */
  logs: Record<string, unknown>[];
}

/**
 * Starts the host; resolves once it listens (its "how to call it" line). Rejects when it exits
 * first, with its exit code and what it logged.
 */
export async function startHost(env: Record<string, string>): Promise<RunningHost> {
  const logs: Record<string, unknown>[] = [];
  const child = spawn(process.execPath, [main], {
    // No /metrics listener unless a test asks for one (9464 may be taken on a shared machine);
    // the devnet unless a test asks for Story, whatever the shell running the tests has set.
    env: { ...process.env, HOST: '127.0.0.1', METRICS_PORT: 'off', ...NO_STORY, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(
        Object.assign(new Error(`host exited with ${code}: ${JSON.stringify(logs)}`), {
          exitCode: code,
          logs,
        }),
      ),
    );
    // One JSON log record a line.
    createInterface({ input: child.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      logs.push(line);
      if (line.msg === 'how to call it') resolve();
    });
  });
  return { child, logs };
}

/** SIGTERM (a clean shutdown); resolves with the exit code. */
export async function stopHost(child: ChildProcess | undefined): Promise<number | null> {
  if (!child || child.exitCode !== null || child.signalCode !== null)
    return child?.exitCode ?? null;
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  child.kill('SIGTERM');
  return exited;
}
