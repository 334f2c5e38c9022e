/**
 * Garbage-collection figures from inside a server under load, for the report's GC columns.
 * Preloaded into the server's process (`node --import <this file>`) with GC_PROBE_FILE set; it
 * records every collection with V8's GCProfiler. On SIGUSR2 it writes the figures of the window
 * since the previous SIGUSR2 (or since start-up) to GC_PROBE_FILE as JSON and opens a new window,
 * so the benchmark brackets its measured load with two signals (see gcWindow in gc-window.ts).
 *
 * Promoted bytes are what each scavenge moved into the old generation: old space's used size after
 * the scavenge minus before it. Major-GC pauses are the main-thread cost of each mark-compact
 * (its concurrent marking runs beside the event loop and is not a pause).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { GCProfiler } from 'node:v8';

export interface GcFigures {
  /** Milliseconds the window lasted. */
  ms: number;
  scavenges: number;
  scavengePauseMs: number;
  promotedBytes: number;
  majorGcs: number;
  majorPauseMs: number;
  maxMajorPauseMs: number;
}

type Stats = ReturnType<GCProfiler['stop']>;
type Entry = NonNullable<Stats>['statistics'][number];

const oldSpace = (side: Entry['beforeGC']) =>
  side.heapSpaceStatistics.find((s) => s.spaceName === 'old_space')?.spaceUsedSize ?? 0;

function figures(entries: Entry[], ms: number): GcFigures {
  const out: GcFigures = {
    ms,
    scavenges: 0,
    scavengePauseMs: 0,
    promotedBytes: 0,
    majorGcs: 0,
    majorPauseMs: 0,
    maxMajorPauseMs: 0,
  };
  for (const e of entries) {
    const pauseMs = e.cost / 1000; // µs
    if (e.gcType === 'Scavenge' || e.gcType === 'MinorMarkSweep') {
      out.scavenges++;
      out.scavengePauseMs += pauseMs;
      out.promotedBytes += Math.max(0, oldSpace(e.afterGC) - oldSpace(e.beforeGC));
    } else if (e.gcType === 'MarkSweepCompact') {
      out.majorGcs++;
      out.majorPauseMs += pauseMs;
      out.maxMajorPauseMs = Math.max(out.maxMajorPauseMs, pauseMs);
    }
  }
  return out;
}

const file = process.env.GC_PROBE_FILE;
if (file) {
  let profiler = new GCProfiler();
  let since = performance.now();
  profiler.start();
  process.on('SIGUSR2', () => {
    const stats = profiler.stop();
    const now = performance.now();
    profiler = new GCProfiler();
    profiler.start();
    // Written aside and renamed into place, so the reader never sees half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify(figures(stats?.statistics ?? [], now - since)));
    renameSync(`${file}.tmp`, file);
    since = now;
  });
}
