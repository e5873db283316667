#!/usr/bin/env node
// `npx polyphony ...`. An installed package runs the compiled CLI in dist/ (built by `npm run
// build`, which `npm pack` runs); a checkout, where the TypeScript sources are, runs them
// through tsx (a devDependency), so developers and tests never run a stale build.
import { existsSync } from 'node:fs'

const source = new URL('../app/cli/main.ts', import.meta.url)
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api')
  register()
  await import(source.href)
} else {
  await import('../dist/app/cli/main.js')
}
