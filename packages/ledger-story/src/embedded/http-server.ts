import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Eip1193Provider } from './provider.js';

/** Limits of the JSON-RPC HTTP server. */
export interface RpcServerLimits {
  /** Largest request body accepted, in bytes; larger requests get HTTP 413. */
  readonly maxRequestBytes: number;
  /** Most calls in one batch request; larger batches get a JSON-RPC error. */
  readonly maxBatchSize: number;
}

/** A JSON-RPC HTTP server in front of a provider. */
export interface RpcServer {
  readonly url: string;
  close(): Promise<void>;
}

interface JsonRpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

// The standard JSON-RPC 2.0 error codes used below.
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const INTERNAL_ERROR = -32603;

/**
 * Serves `provider` as JSON-RPC 2.0 over HTTP POST on 127.0.0.1 (never another interface: the
 * node signs nothing, but its test keys are public). Single and batch requests; bodies and
 * batches are bounded so a stray client cannot exhaust memory.
 */
export async function startRpcServer(
  provider: Eip1193Provider,
  port: number,
  limits: RpcServerLimits,
): Promise<RpcServer> {
  const server = createServer((req, res) => {
    handle(provider, limits, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actualPort } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${actualPort}`, close: () => closeServer(server) };
}

async function handle(
  provider: Eip1193Provider,
  limits: RpcServerLimits,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const body = await readBody(req, limits.maxRequestBytes);
  if (body === undefined) {
    res.writeHead(413, { connection: 'close' }).end();
    req.destroy();
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return sendJson(res, errorResponse(null, PARSE_ERROR, 'Parse error'));
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0 || parsed.length > limits.maxBatchSize) {
      const message = `Batch must hold 1 to ${limits.maxBatchSize} requests`;
      return sendJson(res, errorResponse(null, INVALID_REQUEST, message));
    }
    // Calls of a batch run one after another, in order, like a node's batch handling.
    const responses: unknown[] = [];
    for (const call of parsed) responses.push(await dispatch(provider, call));
    return sendJson(res, responses);
  }
  return sendJson(res, await dispatch(provider, parsed));
}

async function dispatch(provider: Eip1193Provider, call: unknown): Promise<unknown> {
  const request = (typeof call === 'object' && call !== null ? call : {}) as JsonRpcRequest;
  const id = typeof request.id === 'string' || typeof request.id === 'number' ? request.id : null;
  if (typeof request.method !== 'string') {
    return errorResponse(id, INVALID_REQUEST, 'Invalid request');
  }
  try {
    const result = await provider.request({ method: request.method, params: request.params ?? [] });
    return { jsonrpc: '2.0', id, result: result ?? null };
  } catch (error) {
    // Keep the node's code and data (revert data above all), so remote viem clients decode
    // custom errors exactly as in-process ones do.
    const e = error as { code?: unknown; message?: unknown; data?: unknown };
    const code = typeof e.code === 'number' ? e.code : INTERNAL_ERROR;
    const message = typeof e.message === 'string' ? e.message : 'Internal error';
    return errorResponse(id, code, message, e.data);
  }
}

function errorResponse(id: unknown, code: number, message: string, data?: unknown): unknown {
  const error = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: '2.0', id, error };
}

function sendJson(res: ServerResponse, value: unknown): void {
  const text = JSON.stringify(value, (_key, v) =>
    typeof v === 'bigint' ? `0x${v.toString(16)}` : v,
  );
  res.writeHead(200, { 'content-type': 'application/json' }).end(text);
}

// Resolves with the body, or undefined as soon as it exceeds `max` bytes.
function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) return resolve(undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive connections would hold close() open until they time out.
    server.closeAllConnections();
  });
}
