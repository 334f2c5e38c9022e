/**
 * Limits on what a caller sends, over a real socket (issue 17, item 5):
 *
 * - a path parameter longer than Fastify's `maxParamLength` (414) and a request line longer than
 *   Node's header limit (rejected by the HTTP parser, before Fastify) both answer problem+json;
 * - `X-Request-Id` is taken from the caller only when it is 1-128 characters of
 *   `[A-Za-z0-9._:-]`; anything else is replaced by a fresh id, and never echoed or logged.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test-support/until.ts';
import { type Harness, startHarness } from './support/harness.ts';

let h: Harness;
let url: string;
let port: number;

beforeAll(async () => {
  h = await startHarness('request_limits');
  url = await h.api.listen(0, '127.0.0.1');
  port = Number(new URL(url).port);
});
afterAll(async () => {
  await h?.close();
});

/** Writes `request` as it is on a new connection; resolves with everything the server sent. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}

function parse(response: string): { status: number; headers: string; body: string } {
  const [head = '', body = ''] = response.split('\r\n\r\n', 2);
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body };
}

/**
 * GET with an X-Request-Id over node:http (which sends the value as given). An unknown path: its
 * 404 goes through the API's hooks like any answer, and needs no token or store.
 */
function getWithRequestId(
  path: string,
  requestId: string,
): Promise<{ status: number; echoed: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}${path}`, { headers: { 'x-request-id': requestId } }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, echoed: res.headers['x-request-id'] as string }),
      );
    });
    req.on('error', reject);
  });
}

describe('URLs that are too long', () => {
  it('answers a path parameter over maxParamLength with 414 problem+json', async () => {
    const res = await fetch(`${url}/v1/stories/${'a'.repeat(500)}`);
    expect(res.status).toBe(414);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({
      type: 'https://mystira.app/problems/uri-too-long',
      title: 'URI too long',
      status: 414,
    });
    // The offending URL is not sent back.
    expect(JSON.stringify(problem)).not.toContain('a'.repeat(200));
  });

  it('answers a request line the HTTP parser refuses with 414 problem+json', async () => {
    const response = parse(
      await raw(`GET /v1/stories/${'b'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    expect(response.status).toBe(414);
    expect(response.headers).toContain('content-type: application/problem+json');
    expect(response.headers).toContain('connection: close');
    expect(response.headers).toMatch(/x-request-id: [0-9a-f-]{36}/);
    expect(JSON.parse(response.body)).toMatchObject({
      type: 'https://mystira.app/problems/uri-too-long',
      status: 414,
    });
  });

  it('answers headers the HTTP parser refuses with 431 problem+json', async () => {
    const response = parse(
      await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'c'.repeat(20_000)}\r\n\r\n`),
    );
    expect(response.status).toBe(431);
    expect(response.headers).toContain('content-type: application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({
      type: 'https://mystira.app/problems/headers-too-large',
      status: 431,
    });
  });

  it('answers a request the HTTP parser cannot read with 400 problem+json', async () => {
    const response = parse(await raw('NOT HTTP AT ALL\r\n\r\n'));
    expect(response.status).toBe(400);
    expect(response.headers).toContain('content-type: application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 400 });
  });
});

describe('X-Request-Id', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  it('echoes a valid id and logs the request under it', async () => {
    const id = 'client-7.trace:0001_A';
    const res = await getWithRequestId('/v2/unknown', id);
    expect(res.status).toBe(404);
    expect(res.echoed).toBe(id);
    // Its access-log line is written once the answer has gone out: wait for it briefly.
    await until(() => h.logs.some((l) => l.reqId === id), 500);
    expect(h.logs.some((l) => l.reqId === id)).toBe(true);
  });

  it('replaces an oversized or unsafe id with a fresh one, and never echoes or logs it', async () => {
    const unsafe = [
      'x'.repeat(10 * 1024),
      'abc%0d%0aSet-Cookie: session=stolen',
      '"><script>alert(1)</script>',
      'ok\t{"level":60,"msg":"forged"}',
      'q'.repeat(129),
      'ümlaut',
    ];
    for (const value of unsafe) {
      const res = await getWithRequestId('/v2/unknown', value);
      expect(res.status, value.slice(0, 40)).toBe(404);
      expect(res.echoed, value.slice(0, 40)).toMatch(UUID);
    }
    const logged = JSON.stringify(h.logs);
    expect(logged).not.toContain('x'.repeat(200));
    expect(logged).not.toContain('Set-Cookie');
    expect(logged).not.toContain('<script>');
    expect(logged).not.toContain('forged');
    expect(logged).not.toContain('q'.repeat(129));
  });

  it('gives a request without one a fresh id', async () => {
    const res = await fetch(`${url}/v2/unknown`);
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });
});
