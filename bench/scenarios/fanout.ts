// fanout: one document, N clients, W writers each typing `rate` timestamped edits per
// second for a while; every client measures when each other client's edit reached it.

import { now } from '../BenchClient.ts'
import { FANOUT_WORKSPACE, roomUrl } from '../bootstrap.ts'
import { distribution } from '../stats.ts'
import type { ClientSpec, WriterResult } from '../workerProtocol.ts'
import { byWorker, closeAll, connectAll, converged, expectedOf, meter, waitAll, type Scenario } from './context.ts'

export const fanout: Scenario = {
  name: 'fanout',
  async run({ pool, target, sizes, log }) {
    const { clients, writers, rate, durationS } = sizes.fanout
    const room = `${FANOUT_WORKSPACE}/shared`
    const specs: ClientSpec[] = Array.from({ length: clients }, (_, i) => ({
      id: `f${i}`,
      url: roomUrl(target.syncBase, room, i),
      clientId: 1 + i,
      dialect: target.dialect,
      applyRemote: true,
      answerUpdates: target.answersUpdates,
    }))
    const { failed } = await connectAll(pool, specs)
    if (failed.length) throw new Error(`fanout: ${failed.length} clients failed to connect: ${failed[0].error}`)
    log(`${clients} clients synced; ${writers} writers × ${rate}/s for ${durationS} s`)
    const usage = meter(target.pid)
    const writerIds = new Set(specs.slice(0, writers).map((s) => s.id))
    const parts = byWorker(specs, pool).map((part) => part.filter((s) => writerIds.has(s.id)).map((s) => s.id))
    const startAt = now() + 300
    const written = (await pool.each<WriterResult[]>((w) => (parts[w].length ? { cmd: 'paced', writers: parts[w], rate, durationMs: durationS * 1000, startAt } : null))).flat()
    const waits = await waitAll(pool, expectedOf(written), 30_000)
    const server = usage.stop()
    const ok = waits.every((w) => w.ok) ? await converged(pool) : 0
    await closeAll(pool)
    const latencies = waits.flatMap((w) => w.latencies)
    const deliveries = waits.reduce((n, w) => n + w.deliveries, 0)
    const expected = written.reduce((n, w) => n + w.sent, 0) * (clients - 1)
    const end = Math.max(...waits.map((w) => w.doneAt))
    const lat = distribution(latencies)
    return {
      p50Ms: lat.p50,
      p95Ms: lat.p95,
      p99Ms: lat.p99,
      maxMs: lat.max,
      deliveriesPerS: deliveries / ((end - startAt) / 1000),
      delivered: deliveries / expected,
      cpuS: server.cpuS,
      peakRssMB: server.peakRssMB,
      converged: ok,
    }
  },
}
