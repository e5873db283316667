#!/usr/bin/env node
// `npx polyphony ...`: runs the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api'
register()
await import('../agents/cli/main.ts')
