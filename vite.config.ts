// One config for the browser client (Vite) and the test runner (Vitest).
import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'

export default defineConfig({
  root: 'client',
  plugins: [svelte()],
  // One bundle on purpose: the service worker precaches what index.html references, so the
  // whole app (CodeMirror included, ~650 kB) is available offline after the first visit.
  build: { outDir: '../dist/client', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: {
    // `npm run dev`: the client with hot reload, API and sync proxied to a running server.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/sync': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  test: {
    root: '.',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One real PostgreSQL cluster per run (Debian's binaries in a temp dir): test/helpers/postgres.ts.
    globalSetup: ['test/helpers/postgresGlobal.ts'],
  },
})
