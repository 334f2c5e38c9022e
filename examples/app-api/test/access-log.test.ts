/**
 * The access log (src/access-log.ts): one info line per answered request, naming the method, the
 * URL and the status under the request's id; Fastify's own two lines are off.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../../../test-support/until.ts';
import { type Harness, startHarness } from './support/harness.ts';

let h: Harness;
let url: string;

beforeAll(async () => {
  h = await startHarness('access_log');
  url = await h.api.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await h?.close();
});

it('writes one line per request, with its method, URL, status and time', async () => {
  const reqId = 'access-log-1';
  const res = await fetch(`${url}/v1/stories/00000000-0000-4000-8000-000000000000?x=1`, {
    headers: { 'x-request-id': reqId },
  });
  expect(res.status).toBe(404);
  await res.arrayBuffer();
  // The line is written once the answer has gone out: wait for it briefly.
  await until(() => h.logs.some((l) => l.reqId === reqId), 500);
  const lines = h.logs.filter((l) => l.reqId === reqId);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: 30,
    msg: 'request completed',
    req: {
      method: 'GET',
      url: '/v1/stories/00000000-0000-4000-8000-000000000000?x=1',
      remoteAddress: '127.0.0.1',
    },
    res: { statusCode: 404 },
  });
  expect(typeof lines[0]?.responseTime).toBe('number');
  expect(h.logs.some((l) => l.msg === 'incoming request')).toBe(false);
});
