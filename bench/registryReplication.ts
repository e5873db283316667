// The registry on Postgres (server/registry/PostgresRegistry.ts): how long a write on instance A
// takes to be visible on instance B (NOTIFY → catch-up → replica), and how many registry writes
// per second one and two instances commit. Run: `npx tsx bench/registryReplication.ts`
// (starts a throwaway cluster like the tests do) or with `--database postgres://…`.

import { parseArgs } from 'node:util'
import { openPostgres } from '../server/pg/PgDatabase.ts'
import { Notifications } from '../server/pg/Notifications.ts'
import { PostgresRegistry } from '../server/registry/index.ts'
import { startPgCluster } from '../test/helpers/postgres.ts'
import { distribution } from './stats.ts'

const { values } = parseArgs({ options: { database: { type: 'string' }, writes: { type: 'string', default: '200' } } })
const WRITES = Math.min(5000, Math.max(10, Number(values.writes)))

async function instance(url: string, id: string) {
  const db = await openPostgres(url)
  const notifications = new Notifications(url)
  await notifications.start()
  const registry = await PostgresRegistry.open({ db, notifications, instanceId: id })
  return { registry, close: async () => (await registry.close(), await notifications.close(), await db.close()) }
}

/** Resolves when `check` holds, looking on every macrotask (bounded: 10 s). */
async function whenTrue(check: () => boolean): Promise<void> {
  const deadline = performance.now() + 10_000
  while (!check()) {
    if (performance.now() > deadline) throw new Error('not visible after 10 s')
    await new Promise((r) => setImmediate(r))
  }
}

async function main(): Promise<void> {
  const cluster = values.database ? null : startPgCluster()
  let url = values.database ?? ''
  if (cluster) {
    const admin = await openPostgres(cluster.url('postgres'))
    await admin.query('CREATE DATABASE bench_registry')
    await admin.close()
    url = cluster.url('bench_registry')
  }
  const [a, b] = [await instance(url, 'A'), await instance(url, 'B')]
  try {
    await a.registry.createPrincipal({ id: 'owner', kind: 'human' })
    await a.registry.createWorkspace({ id: 'bench', owner: 'owner' })

    // 1. Write on A → authenticates on B, without B asking (notification path only).
    const afterCommit: number[] = []
    const fromStart: number[] = []
    for (let i = 0; i < WRITES; i++) {
      const t0 = performance.now()
      const { token } = await a.registry.createPrincipal({ id: `lat${i}`, kind: 'agent' })
      const t1 = performance.now()
      await whenTrue(() => b.registry.authenticate(token) !== null)
      const t2 = performance.now()
      afterCommit.push(t2 - t1)
      fromStart.push(t2 - t0)
    }
    const fmt = (d: ReturnType<typeof distribution>) => `p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms, max ${d.max.toFixed(2)} ms`
    console.log(`visible on B after A's write resolved (${WRITES} writes): ${fmt(distribution(afterCommit))}`)
    console.log(`visible on B from the start of A's write:          ${fmt(distribution(fromStart))}`)

    // 2. Write rate: one instance, sequential.
    let t = performance.now()
    for (let i = 0; i < WRITES; i++) await a.registry.setMember('bench', `lat${i}`, i % 2 ? 'editor' : 'viewer')
    console.log(`one instance, sequential setMember: ${((WRITES / (performance.now() - t)) * 1000).toFixed(0)} ops/s`)

    // 3. Write rate: two instances at once, each with every write in flight (contention on the log head).
    await whenTrue(() => b.registry.seq === a.registry.seq)
    t = performance.now()
    await Promise.all(Array.from({ length: WRITES }, (_, i) => (i % 2 ? a : b).registry.setMember('bench', `lat${i}`, i % 2 ? 'viewer' : 'reviewer')))
    console.log(`two instances, ${WRITES} concurrent setMember: ${((WRITES / (performance.now() - t)) * 1000).toFixed(0)} ops/s`)
    await whenTrue(() => b.registry.seq === a.registry.seq)
    const same = JSON.stringify(a.registry.members('bench')) === JSON.stringify(b.registry.members('bench'))
    console.log(`replicas identical after the race: ${same}`)
    if (!same) process.exitCode = 1
  } finally {
    await a.close()
    await b.close()
    cluster?.stop()
  }
}

await main()
