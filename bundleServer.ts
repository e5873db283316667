// `npm run build:server`, after tsc: replaces dist/app/serve.js (what `polyphony serve` and the
// bench run) with one bundle of the server and the dependencies it loads at start: a few files
// instead of ~480 modules (200 of Polyphony's, 283 of its dependencies'). V8 keeps every module's
// source text, module record and top-level closures for the life of the process, and loading
// them grew the young generation; tree-shaken, zod's 64 locales and JSON-schema converters are
// left out. The server's resident memory before its first client went from 93-97 MB to 80-81
// (docs/benchmarks.md, base RSS). The rest of dist/ (the agents SDK, the other CLI commands)
// stays tsc's output; tests and `npm start` run the sources.
//
// Whitespace and syntax are minified, identifiers are not: stack traces in the logs keep the
// functions' names. What the server imports when first used (the MCP and agents SDKs, the demo's
// agents, OpenTelemetry, the Postgres stores) stays behind its dynamic import() in chunks/.

import { build } from 'esbuild'

await build({
  entryPoints: ['app/serve.ts'],
  outdir: 'dist/app',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // A native addon, and a driver only `--database postgres://...` loads: both from node_modules.
  external: ['better-sqlite3', 'pg'],
  // CommonJS dependencies bundled into ESM call require() for Node's built-ins.
  banner: { js: "import { createRequire as __polyphonyRequire } from 'node:module'; const require = __polyphonyRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
})
