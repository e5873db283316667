// burst: one writer sends many small edits as fast as it can (prepared beforehand, so the
// writer's own Yjs work is not timed); R readers; time until every reader has them all.

import { roomUrl, FANOUT_WORKSPACE } from '../bootstrap.ts'
import type { ClientSpec, WriterResult } from '../workerProtocol.ts'
import { closeAll, connectAll, converged, meter, waitAll, workerOf, type Scenario } from './context.ts'

export const burst: Scenario = {
  name: 'burst',
  async run({ pool, target, sizes, log }) {
    const { edits, readers } = sizes.burst
    const room = `${FANOUT_WORKSPACE}/shared`
    const writerClientId = 1
    const specs: ClientSpec[] = Array.from({ length: readers + 1 }, (_, i) => ({
      id: `b${i}`,
      url: roomUrl(target.syncBase, room, i),
      clientId: 1 + i,
      dialect: target.dialect,
      // The writer ignores what comes back (the reference echoes every update to its sender).
      applyRemote: i !== 0,
    }))
    const { failed } = await connectAll(pool, specs)
    if (failed.length) throw new Error(`burst: ${failed.length} clients failed to connect: ${failed[0].error}`)
    log(`1 writer, ${readers} readers, ${edits} edits`)
    const usage = meter(target.pid)
    const [written, waits] = await Promise.all([
      pool.send<WriterResult[]>(workerOf(0, pool), { cmd: 'burst', writers: ['b0'], edits }),
      waitAll(pool, { [writerClientId]: edits }, 120_000),
    ])
    const server = usage.stop()
    const ok = waits.every((w) => w.ok) ? await converged(pool) : 0
    await closeAll(pool)
    const w = written[0]
    const converge = Math.max(...waits.map((r) => r.doneAt)) - w.startedAt
    return {
      convergeMs: converge,
      editsPerS: edits / (converge / 1000),
      writerAckMs: w.ackedAt - w.startedAt,
      firstDeliveryMs: Math.min(...waits.map((r) => r.firstRemoteAt)) - w.startedAt,
      cpuS: server.cpuS,
      peakRssMB: server.peakRssMB,
      converged: waits.every((r) => r.ok) ? ok : 0,
    }
  },
}
