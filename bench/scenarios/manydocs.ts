// manydocs: many rooms, one client and one edit each. Rooms per second (connect, sync and
// one acknowledged edit each), connect+sync time per client, the server's resident memory
// before the first client (base RSS) and what each loaded, idle room adds to it.

import { setTimeout as sleep } from 'node:timers/promises'
import { manyRoom, roomUrl } from '../bootstrap.ts'
import { memory } from '../procStats.ts'
import { distribution } from '../stats.ts'
import type { ClientSpec, WriterResult } from '../workerProtocol.ts'
import { byWorker, closeAll, connectAll, meter, type Scenario } from './context.ts'

/** Let the server settle (GC, socket buffers) before reading its RSS. */
const SETTLE_MS = 1_000

export const manydocs: Scenario = {
  name: 'manydocs',
  async run({ pool, target, sizes, log }) {
    const { rooms } = sizes.manydocs
    const specs: ClientSpec[] = Array.from({ length: rooms }, (_, i) => ({
      id: `m${i}`,
      url: roomUrl(target.syncBase, manyRoom(i), i),
      clientId: 1 + i,
      dialect: target.dialect,
      applyRemote: true,
    }))
    await sleep(SETTLE_MS)
    const rssBefore = memory(target.pid).rss
    const usage = meter(target.pid)
    const started = performance.now()
    const { results, failed } = await connectAll(pool, specs, 25)
    log(`${results.length - failed.length}/${rooms} rooms connected in ${Math.round(performance.now() - started)} ms`)
    const parts = byWorker(specs, pool)
    const edited = (await pool.each<WriterResult[]>((w) => ({ cmd: 'editOnce', ids: parts[w].filter((s) => !failed.some((f) => f.id === s.id)).map((s) => s.id) }))).flat()
    const seconds = (performance.now() - started) / 1000
    await sleep(SETTLE_MS)
    const rssAfter = memory(target.pid).rss
    const server = usage.stop()
    await closeAll(pool)
    const connect = distribution(results.filter((r) => r.ok).map((r) => r.connectMs))
    const ack = distribution(edited.map((e) => e.ackedAt - e.startedAt))
    return {
      roomsPerS: edited.length / seconds,
      connectP50Ms: connect.p50,
      connectP99Ms: connect.p99,
      editAckP50Ms: ack.p50,
      baseRssMB: rssBefore / 2 ** 20,
      rssPerRoomKB: (rssAfter - rssBefore) / 1024 / (rooms - failed.length),
      failed: failed.length,
      cpuS: server.cpuS,
      peakRssMB: server.peakRssMB,
    }
  },
}
