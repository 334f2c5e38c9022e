/**
 * The Python grpcio ChainService server of packages/chain-client/test/python (the stack of the
 * Python Chain service this SDK's server replaces) as a benchmark contender, when Debian's
 * python3-grpcio and protoc are present. Its handlers answer from memory (no ledger), so beside
 * ours it is the cost of grpcio itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PYTHON, pythonGrpcMissing, pythonGrpcStubs } from '../../test-support/python-grpc.ts';
import { type Spawned, spawnChild } from './processes.ts';

const testDir = join(import.meta.dirname, '../../packages/chain-client/test');

export interface PythonServer {
  port: number;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the server; returns why not (a string) when Python gRPC is not installed. */
export async function startPythonChainServer(): Promise<PythonServer | string> {
  const missing = pythonGrpcMissing();
  if (missing) return missing;
  const stubs = await pythonGrpcStubs();
  let child: Spawned | undefined;
  try {
    const started = spawnChild(PYTHON, [join(testDir, 'python/chain_server.py'), stubs], {
      stdout: 'pipe',
    });
    child = started;
    const line = await new Promise<string>((resolve, reject) => {
      started.proc.once('exit', (code) => reject(new Error(`python server exited with ${code}`)));
      createInterface({ input: started.proc.stdout as NodeJS.ReadableStream }).once(
        'line',
        resolve,
      );
    });
    const port = Number(line);
    return {
      port,
      url: `http://127.0.0.1:${port}`,
      pid: started.proc.pid as number,
      stop: () => started.stop(1000),
    };
  } catch (e) {
    await child?.stop(1000);
    throw e;
  }
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on every Linux we run). */
const USER_HZ = 100;

/** CPU time (user + system, all threads) of any process so far, in µs, from /proc (Linux). */
export function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / USER_HZ;
}
