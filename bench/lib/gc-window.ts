/**
 * The benchmark's side of lib/gc-probe.ts: how to start a Node server with the probe preloaded,
 * and how to read the GC figures of a window of load from it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GcFigures } from './gc-probe.ts';

export type { GcFigures };

const PROBE = join(import.meta.dirname, 'gc-probe.ts');

export interface GcProbe {
  /** Node arguments that preload the probe; put them before the script. */
  nodeArgs: string[];
  /** Environment the probed process needs. */
  env: { GC_PROBE_FILE: string };
  /**
   * Closes the probe's current window and opens the next; resolves with the closed one. Call it
   * right before a load (the result is the idle time before it) and right after (the load's).
   */
  window(pid: number | undefined): Promise<GcFigures>;
}

export function gcProbe(): GcProbe {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-gc-')), 'gc.json');
  process.on('exit', () => rmSync(join(file, '..'), { recursive: true, force: true }));
  return {
    nodeArgs: ['--import', PROBE],
    env: { GC_PROBE_FILE: file },
    async window(pid) {
      if (pid === undefined) throw new Error('the probed process is not running');
      rmSync(file, { force: true });
      process.kill(pid, 'SIGUSR2');
      for (let waited = 0; !existsSync(file); waited += 20) {
        if (waited > 5000) throw new Error(`no GC figures from process ${pid} within 5 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return JSON.parse(readFileSync(file, 'utf8')) as GcFigures;
    },
  };
}

/** The figures per 10,000 calls, promoted bytes per call; as one line for the report's notes. */
export function gcPer10k(f: GcFigures, calls: number): string {
  const per = (n: number) => ((n * 10_000) / Math.max(1, calls)).toFixed(1);
  return `${per(f.scavenges)} scavenges (${per(f.scavengePauseMs)} ms), ${(f.promotedBytes / Math.max(1, calls)).toFixed(0)} B promoted/call, ${per(f.majorGcs)} major GCs (${per(f.majorPauseMs)} ms, longest ${f.maxMajorPauseMs.toFixed(1)} ms) per 10k calls`;
}
