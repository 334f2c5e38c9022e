/**
 * A foreign gRPC implementation as a client, the way test/python.test.ts sets it up: Debian's
 * /usr/bin/python3 with python3-grpcio and python3-protobuf, and stubs that Debian's protoc
 * generates (--python_out) into a temp dir at test time from the repo's protos/, this package's
 * proto/ and @mystira/health's proto/.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const repo = resolve(import.meta.dirname, '../../../..');

/** Debian's interpreter, which has python3-grpcio and python3-protobuf. */
export const PYTHON = '/usr/bin/python3';

/** Where protoc finds the protos, in the order python.test.ts gives them. */
const ROOTS = [
  join(repo, 'protos'),
  join(repo, 'packages/chain-server/proto'),
  join(repo, 'packages/health/proto'),
];

/** Generated stubs in a temp dir; `remove` deletes it. */
export interface PythonStubs {
  dir: string;
  remove(): void;
}

/** Generates Python stubs for `files` (paths under the roots, e.g. `mystira/chain/v1/common.proto`). */
export async function generatePythonStubs(files: readonly string[]): Promise<PythonStubs> {
  const dir = mkdtempSync(join(tmpdir(), 'chain-server-py-'));
  await exec('protoc', [
    ...ROOTS.map((p) => `-I${p}`),
    '-I/usr/include',
    `--python_out=${dir}`,
    ...files,
  ]);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs `script` with the stubs importable and `sys.argv = [script, ...args]`; resolves with the
 * JSON object it prints on its last line. `grpc` and `google` are regular packages installed by
 * Debian, so their search paths are extended to the generated subpackages (`grpc.health.v1`,
 * `google.rpc`); `mystira` is a namespace package and needs nothing.
 */
export async function runPythonScript(
  script: string,
  stubs: PythonStubs,
  args: readonly string[],
): Promise<Record<string, unknown>> {
  const { dir } = stubs;
  const shim = [
    'import sys, grpc, google',
    `sys.path.insert(0, ${JSON.stringify(dir)})`,
    `grpc.__path__.append(${JSON.stringify(join(dir, 'grpc'))})`,
    `google.__path__.append(${JSON.stringify(join(dir, 'google'))})`,
    `sys.argv = ${JSON.stringify([script, ...args])}`,
    `exec(open(${JSON.stringify(script)}).read())`,
  ].join('; ');
  const { stdout } = await exec(PYTHON, ['-c', shim], { timeout: 30_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string);
}
