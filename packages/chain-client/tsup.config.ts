import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// Three entries: `index` for Node (gRPC over node:http2), `web` for browsers (Connect-Web, no
// Node built-ins) and `otel` (needs the optional peer @opentelemetry/api, so it is opt-in by
// import path). Bundled separately so `web` never sees connect-node.
export default defineConfig(
  libraryConfig({ index: 'src/index.ts', web: 'src/web.ts', otel: 'src/otel.ts' }),
);
