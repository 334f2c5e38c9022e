/**
 * A store call's deadline on a busy event loop. When the loop is blocked past a call's timeout
 * after the request went out, and the answer is in the socket when the loop wakes, the answer
 * wins: Node runs due timers before it reads its sockets, and rejecting right in the timer turned
 * every long task (a large parse, a GC pause) into timeouts, misses and reloads that made the loop
 * fall further behind. A call whose answer does not come still times out.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { TimeoutError } from '@mystira/resilience';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CallDeadlines } from '../src/call-deadlines.js';

let client: Socket;

beforeAll(async () => {
  // A raw connection to the shared Redis: another process, so its answer arrives while this
  // process's loop is blocked (a server in this process could not answer then).
  client = await new Promise<Socket>((resolve, reject) => {
    const socket = connect(6379, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
  client.setNoDelay(true);
});

afterAll(() => {
  client.destroy();
});

/** Blocks the event loop for `ms`, as a long task or a GC pause would. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

it('an answer that arrived while the loop was blocked past the timeout is served', async () => {
  const deadlines = new CallDeadlines(20);
  for (let i = 0; i < 5; i++) {
    const answer = once(client, 'data').then(([chunk]) => String(chunk));
    client.write(`ECHO ping-${i}\r\n`);
    const call = deadlines.race(answer);
    block(60); // Redis answers within a millisecond; the loop reads it only after this
    await expect(call).resolves.toBe(`$6\r\nping-${i}\r\n`);
  }
});

it('a call whose answer never comes times out', async () => {
  const deadlines = new CallDeadlines(20);
  const started = performance.now();
  await expect(deadlines.race(new Promise(() => {}))).rejects.toBeInstanceOf(TimeoutError);
  expect(performance.now() - started).toBeGreaterThanOrEqual(19);
});
