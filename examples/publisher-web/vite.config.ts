import { defineConfig, type Plugin } from 'vite';

/**
 * `npm run dev`: Vite serves the page and, like serve.ts in production, a generated
 * /config.json, here from CHAIN_URL (default the chain-server example on :50051).
 */
function devConfigJson(): Plugin {
  return {
    name: 'publisher-web-config-json',
    configureServer(server) {
      server.middlewares.use('/config.json', (_req, res) => {
        const config = { chainUrl: process.env.CHAIN_URL ?? 'http://localhost:50051' };
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.setHeader('cache-control', 'no-store');
        res.end(JSON.stringify(config));
      });
    },
  };
}

/** One chunk per library family; the page's own code is split by its dynamic imports. */
const VENDOR_CHUNKS = [
  { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
  { name: 'tanstack-query', test: /node_modules[\\/]@tanstack[\\/]/ },
  { name: 'connect-protobuf', test: /node_modules[\\/](@connectrpc|@bufbuild)[\\/]/ },
  { name: 'opentelemetry', test: /node_modules[\\/]@opentelemetry[\\/]/ },
  // The workspace packages resolve to their dist/ (symlinked, not under node_modules).
  { name: 'mystira-chain', test: /[\\/](chain-client|chain-protos)[\\/]dist[\\/]/ },
];

export default defineConfig({
  plugins: [devConfigJson()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      // TanStack Query marks its modules "use client" for React Server Components; meaningless here.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      output: {
        // Vendor chunks by library family (Vite 8 bundles with Rolldown: `codeSplitting.groups`
        // is its `manualChunks`). They change far less often than the page, so a new build of the
        // page leaves them cached; and the sign-in screen needs only React (see README, Bundle).
        codeSplitting: { groups: VENDOR_CHUNKS },
      },
    },
  },
  server: { port: 5173 },
});
