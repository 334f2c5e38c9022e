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

export default defineConfig({
  plugins: [devConfigJson()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rollupOptions: {
      // TanStack Query marks its modules "use client" for React Server Components; meaningless here.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: { port: 5173 },
});
