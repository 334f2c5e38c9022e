/**
 * The host as `npm start` runs it (node src/main.ts), over real sockets: configured by
 * environment, JSON logs, serving requests, and a graceful stop on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test-support/until.ts';
import type { LocalIssuer } from '../../demo/src/issuer.ts';
import {
  authEnv,
  DATABASE_URL,
  dropSchema,
  identityOf,
  randomWallet,
  startChain,
  startCosmos,
  startIssuer,
  type TestChain,
  type TestCosmos,
} from './support/harness.ts';

const main = join(import.meta.dirname, '../src/main.ts');
const schema = `app_api_main_${randomUUID().slice(0, 8)}`;
let child: ChildProcess | undefined;
let cosmos: TestCosmos;
let chain: TestChain;
let issuer: LocalIssuer;
const clientSecret = randomUUID();

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Runs the host with exactly `env` until it exits (a refusal to start): its code and stdout. */
async function runToExit(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const proc = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  child = proc;
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const code = await new Promise<number | null>((r) => proc.once('exit', r));
  return { code, out };
}

/** Starts the host; resolves once it logs that it listens, with every log line so far (and later). */
function start(
  env: Record<string, string>,
): Promise<{ logs: Record<string, unknown>[]; exit: Promise<number | null> }> {
  const logs: Record<string, unknown>[] = [];
  child = spawn(process.execPath, [main], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const proc = child;
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    void exit.then((code) =>
      reject(new Error(`host exited with ${code}: ${JSON.stringify(logs.at(-1))}`)),
    );
    // One JSON log record a line.
    createInterface({ input: proc.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      logs.push(line);
      if (typeof line.msg === 'string' && line.msg.startsWith('app api listening'))
        resolve({ logs, exit });
    });
  });
}

beforeAll(async () => {
  issuer = await startIssuer(clientSecret);
  cosmos = await startCosmos();
  chain = await startChain(issuer);
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  child = undefined;
});
afterAll(async () => {
  await chain?.close();
  await cosmos?.close();
  await issuer?.close();
  await dropSchema(schema);
});

describe('node src/main.ts', () => {
  it('serves over a real socket and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { logs, exit } = await start({
      ...authEnv(issuer, clientSecret),
      DATABASE_URL,
      PG_SCHEMA: schema,
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: 'any',
      COSMOS_PROFILE: 'cosmosdb-server',
      COSMOS_TLS_INSECURE: '1',
      COSMOS_DATABASE: `app-api-main-${randomUUID().slice(0, 8)}`,
      CHAIN_URL: chain.url,
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    const url = `http://127.0.0.1:${port}`;
    expect(logs.find((l) => l.msg === `app api listening on ${url}`)).toMatchObject({
      service: 'mystira-app-api',
      accountsPhase: 'SecondaryOnly',
      cache: 'memory',
      chainCredential: 'clientCredentials',
      auth: { issuer: issuer.url },
    });

    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    // Every write needs a signed-in caller.
    const anonymous = await fetch(`${url}/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'x@example.com',
        displayName: 'X',
        walletAddress: randomWallet(),
      }),
    });
    expect(anonymous.status).toBe(401);
    const user = await identityOf(issuer, 'main');
    const created = await fetch(`${url}/v1/accounts`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'req-main-1',
        ...user.headers,
      },
      body: JSON.stringify({
        email: 'main@example.com',
        displayName: 'Main',
        walletAddress: randomWallet(),
      }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe('req-main-1');
    // The access log carries our request id (its line is written once the answer has gone out,
    // and reaches us through the child's stdout: wait for it briefly).
    await until(() => logs.some((l) => l.reqId === 'req-main-1'), 2000);
    expect(logs.some((l) => l.reqId === 'req-main-1')).toBe(true);

    child?.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['shutting down: draining requests', 'stopped']),
    );
  });

  it('refuses to start without an issuer and audience (exit 2, names them)', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL };
    for (const name of ['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE']) delete env[name];
    const { code, out } = await runToExit({ ...env, AUTH_JWKS_URL: issuer.jwksUrl });
    expect(code).toBe(2);
    expect(out).toMatch(/AUTH_ISSUER, AUTH_AUDIENCE are required/);
  });

  it('refuses to start without DATABASE_URL (exit 2, says why)', async () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const { code, out } = await runToExit(env);
    expect(code).toBe(2);
    expect(out).toMatch(/DATABASE_URL is required/);
  });
});
