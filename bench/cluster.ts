// `npx tsx bench/cluster.ts [--quick] [--help]` (or `npm run bench -- --only cluster`): 1 vs 2
// vs 3 Polyphony instances on one PostgreSQL — manydocs, fanout with relayed clients, claims.
// The driver is bench/cluster/run.ts.

import { clusterMain } from './cluster/run.ts'

clusterMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
