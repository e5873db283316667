// manydocs over N instances: R rooms, one client each, clients round-robin over the instances.
// A room is owned by the instance its only client landed on, so nothing is relayed here: this
// is what several owners on one database cost per room (ownership rows, leases, appends).

import { setTimeout as sleep } from 'node:timers/promises'
import { manyRoom, roomUrl } from '../bootstrap.ts'
import { memory } from '../procStats.ts'
import { distribution } from '../stats.ts'
import type { ClientSpec, WriterResult } from '../workerProtocol.ts'
import { byWorker, closeAll, connectAll } from '../scenarios/context.ts'
import { metric } from './instances.ts'
import { clusterMeter, instanceFor, type ClusterScenario } from './context.ts'

/** Let the servers settle (GC, socket buffers) before reading their RSS. */
const SETTLE_MS = 1_000

export const manydocsSpread: ClusterScenario = {
  name: 'manydocs',
  async run(ctx) {
    const { pool, instances, sizes, log } = ctx
    const { rooms } = sizes.manydocs
    const specs: ClientSpec[] = Array.from({ length: rooms }, (_, i) => ({
      id: `m${i}`,
      url: roomUrl(instanceFor(i, instances).syncBase, manyRoom(i), i),
      clientId: 1 + i,
      dialect: 'polyphony',
      applyRemote: true,
    }))
    await sleep(SETTLE_MS)
    const rssBefore = instances.map((i) => memory(i.pid).rss)
    const usage = clusterMeter(ctx)
    const started = performance.now()
    const { results, failed } = await connectAll(pool, specs, 25)
    const parts = byWorker(specs, pool)
    const ok = (s: ClientSpec) => !failed.some((f) => f.id === s.id)
    const edited = (await pool.each<WriterResult[]>((w) => ({ cmd: 'editOnce', ids: parts[w].filter(ok).map((s) => s.id) }))).flat()
    const wallS = (performance.now() - started) / 1000
    log(`${results.length - failed.length}/${rooms} rooms connected, synced and edited in ${wallS.toFixed(1)} s`)
    await sleep(SETTLE_MS)
    const rssAfter = instances.map((i) => memory(i.pid).rss)
    const loaded = await Promise.all(instances.map((i) => metric(i, 'polyphony_rooms_loaded')))
    const lost = await Promise.all(instances.map((i) => metric(i, 'polyphony_rooms_lost_total')))
    const server = usage.stop()
    await closeAll(pool)
    // Per instance: its RSS growth over the rooms it owns.
    const perRoomKB = instances.map((_, k) => (loaded[k] ? (rssAfter[k] - rssBefore[k]) / 1024 / loaded[k] : NaN)).filter((v) => !Number.isNaN(v))
    const connect = distribution(results.filter((r) => r.ok).map((r) => r.connectMs))
    const ack = distribution(edited.map((e) => e.ackedAt - e.startedAt))
    return {
      roomsPerS: edited.length / wallS,
      connectP50Ms: connect.p50,
      connectP99Ms: connect.p99,
      editAckP50Ms: ack.p50,
      editAckP99Ms: ack.p99,
      rssPerRoomKB: perRoomKB.reduce((a, b) => a + b, 0) / perRoomKB.length,
      rssPerRoomMaxKB: perRoomKB.length ? Math.max(...perRoomKB) : NaN,
      roomsLoaded: loaded.reduce((a, b) => a + b, 0),
      // An owner that missed its own lease gives its rooms up (clients see 4512): a run where
      // this is not 0 measured a failure, not the steady state.
      roomsLost: lost.reduce((a, b) => a + b, 0),
      failed: failed.length + (results.length - failed.length - edited.length),
      cpuS: server.cpuS,
      pgCpuS: server.pgCpuS,
    }
  },
}
