#!/usr/bin/env node
// `npm test` runs this first. The tests use real components (a browser, a C++ protobuf, a Python
// gRPC client, throw-away Redis and PostgreSQL servers, h2load), and a few of them skip themselves
// when their tool is missing, so a green run on a machine without the tools would prove less than
// it says. This stops the run instead, with one line per missing tool and the command that
// installs it; MYSTIRA_TEST_ALLOW_SKIPS=1 lets it go on and prints what will be skipped or fail.
// Written for any Node (it also runs before `npm ci` has brought Node 24).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';

const succeeds = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  return result.status === 0;
};
const postgresBin = () => {
  const base = '/usr/lib/postgresql';
  return existsSync(base) && readdirSync(base).some((v) => existsSync(`${base}/${v}/bin/initdb`));
};
const listening = (port) =>
  new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 2000 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const apt = (pkgs) => `sudo apt-get install ${pkgs}`;

/** What the tests need; `skips` names the tests that skip themselves without it. */
const tools = [
  {
    name: `Chromium (${chromium})`,
    ok: () => existsSync(chromium),
    install: `${apt('chromium')}  (or set CHROMIUM_PATH)`,
    skips: 'the specification browser test',
  },
  {
    name: 'protoc',
    ok: () => succeeds('protoc', ['--version']),
    install: apt('protobuf-compiler libprotobuf-dev'),
    skips: 'the protoc wire-compatibility tests',
  },
  {
    // Debian's own Python (the tests call /usr/bin/python3, not whatever python3 is on PATH).
    name: 'Python gRPC (/usr/bin/python3 -c "import grpc")',
    ok: () => succeeds('/usr/bin/python3', ['-c', 'import grpc, google.protobuf']),
    install: apt('python3-grpcio python3-protobuf'),
    skips: 'the grpc.health.v1 probe from a C-core client',
  },
  {
    name: 'redis-server',
    ok: () => succeeds('redis-server', ['--version']),
    install: apt('redis-server'),
  },
  { name: 'PostgreSQL server binaries (initdb)', ok: postgresBin, install: apt('postgresql') },
  { name: 'openssl', ok: () => succeeds('openssl', ['version']), install: apt('openssl') },
  { name: 'curl', ok: () => succeeds('curl', ['--version']), install: apt('curl') },
  { name: 'h2load', ok: () => succeeds('h2load', ['--version']), install: apt('nghttp2-client') },
  {
    name: 'PostgreSQL on 127.0.0.1:5432',
    ok: () => listening(5432),
    install: 'start PostgreSQL with trust auth for local connections (databases test, postgres)',
  },
  {
    name: 'Redis on 127.0.0.1:6379',
    ok: () => listening(6379),
    install: 'redis-server --daemonize yes --port 6379',
  },
];

// Hardhat's EDR (the embedded EVM node of @mystira/ledger-story) ships its native code as optional
// packages that need Node >= 22; an npm running on an older Node skips them silently.
tools.push({
  name: "Hardhat EDR's native binding (@nomicfoundation/edr)",
  ok: () => succeeds(process.execPath, ['-e', "require('@nomicfoundation/edr')"]),
  install: 'reinstall with npm running on Node 24: PATH="$PWD/node_modules/.bin:$PATH" npm ci',
});

const missing = [];
for (const tool of tools) if (!(await tool.ok())) missing.push(tool);

if (missing.length > 0) {
  const allow = process.env.MYSTIRA_TEST_ALLOW_SKIPS === '1';
  for (const tool of missing) {
    const effect = tool.skips ? `skips ${tool.skips}` : 'its tests fail';
    console.error(`missing: ${tool.name}: ${tool.install}${allow ? `  [${effect}]` : ''}`);
  }
  if (!allow) {
    console.error(
      'npm test needs these (.ci/run installs them all); MYSTIRA_TEST_ALLOW_SKIPS=1 runs without them.',
    );
    process.exit(1);
  }
}
