/**
 * Python gRPC stubs for the tests and benchmarks that put a foreign implementation (Debian's
 * /usr/bin/python3 with python3-grpcio and python3-protobuf) on the other end of our servers and
 * clients. The one place that runs `protoc --python_out`.
 *
 * Every `.proto` under the repo's proto roots is compiled once into a cache directory named by a
 * hash of protoc's version and the protos' contents, so a run reuses what an earlier run made and
 * an edited proto gets fresh stubs. Vitest workers may call this concurrently: each generates into
 * its own temp directory and renames it into place; rename is atomic, so a reader sees either no
 * directory or a complete one, and a worker that loses the race keeps the winner's copy.
 *
 * Runs under Vitest and plain Node (the benchmarks), so it imports only Node built-ins.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));

/** The interpreter with python3-grpcio and python3-protobuf (Debian's unless `PYTHON` is set). */
export const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

/**
 * Where protoc looks, first match wins: the contract, then the protos packages keep beside their
 * code (google.rpc, reflection, health). Roots that do not exist are skipped, so a proto moving
 * between them needs no change here. /usr/include holds protoc's well-known types.
 */
const ROOTS = [
  'protos',
  'packages/chain-protos/proto',
  'packages/chain-server/proto',
  'packages/chain-client/proto',
  'packages/health/proto',
]
  .map((root) => join(repo, root))
  .filter((root) => existsSync(root));

const CACHE = join(repo, 'node_modules', '.cache', 'mystira-python-grpc');

/** Why Python interop cannot run on this machine, or `undefined` when it can. */
export function pythonGrpcMissing(): string | undefined {
  if (spawnSync(PYTHON, ['-c', 'import grpc, google.protobuf']).status !== 0) {
    return `${PYTHON} cannot import grpc and google.protobuf (python3-grpcio, python3-protobuf)`;
  }
  if (spawnSync('protoc', ['--version']).status !== 0) return 'protoc not installed';
  return undefined;
}

let stubs: Promise<string> | undefined;

/**
 * The directory of generated `*_pb2.py` modules for every proto in the roots (`mystira.chain.v1`,
 * `mystira.chain.ip.v1`, `google.rpc`, `grpc.reflection.v1`/`v1alpha`, `grpc.health.v1`).
 * Shared and cached: callers must not modify or delete it.
 */
export function pythonGrpcStubs(): Promise<string> {
  stubs ??= generate();
  return stubs;
}

async function generate(): Promise<string> {
  const files = protoFiles();
  const { stdout: version } = await exec('protoc', ['--version']);
  const hash = createHash('sha256').update(version);
  for (const [name, path] of files)
    hash.update(`${name}\0`).update(readFileSync(path)).update('\0');
  const dir = join(CACHE, hash.digest('hex').slice(0, 16));
  if (existsSync(dir)) return dir;

  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, '.tmp-'));
  try {
    await exec('protoc', [
      ...ROOTS.map((root) => `-I${root}`),
      '-I/usr/include',
      `--python_out=${tmp}`,
      ...files.keys(),
    ]);
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    // Another worker renamed its (identical) copy into place first.
    if (existsSync(dir)) return dir;
    throw error;
  }
  return dir;
}

/** Every `.proto` under the roots by its import name (`a/b/c.proto`), the first root's copy winning. */
function protoFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const root of ROOTS) {
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.proto')) continue;
      const path = join(entry.parentPath, entry.name);
      const name = relative(root, path).split(sep).join('/');
      if (!files.has(name)) files.set(name, path);
    }
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Runs `script` with the stubs importable and `sys.argv = [script, ...args]`; resolves with the
 * JSON object it prints on its last line. `grpc` and `google` are regular packages installed by
 * Debian, so their search paths are extended to the generated subpackages (`grpc.health.v1`,
 * `google.rpc`); `mystira` is a namespace package and needs nothing.
 */
export async function runPythonScript(
  script: string,
  stubsDir: string,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const shim = [
    'import sys, grpc, google',
    `sys.path.insert(0, ${JSON.stringify(stubsDir)})`,
    `grpc.__path__.append(${JSON.stringify(join(stubsDir, 'grpc'))})`,
    `google.__path__.append(${JSON.stringify(join(stubsDir, 'google'))})`,
    `sys.argv = ${JSON.stringify([script, ...args])}`,
    `exec(open(${JSON.stringify(script)}).read())`,
  ].join('; ');
  const { stdout } = await exec(PYTHON, ['-c', shim], { timeout: timeoutMs });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
}
