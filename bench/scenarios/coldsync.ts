// coldsync: W writers ingest W×E single-character edits (sent at full speed, each update
// its own message; ingest ends when every writer's ack is back — durable, for Polyphony).
// Then a fresh client syncs the whole document: while the server holds it in memory, and
// (durable targets only) after a graceful restart, when the room loads from disk.

import { now } from '../BenchClient.ts'
import { FANOUT_WORKSPACE, roomUrl } from '../bootstrap.ts'
import type { ClientSpec, ConnectResult, Expected, WaitResult, WriterResult } from '../workerProtocol.ts'
import { median } from '../stats.ts'
import { byWorker, closeAll, connectAll, meter, type Scenario, type ScenarioContext } from './context.ts'

const ROOM = `${FANOUT_WORKSPACE}/shared`

export const coldsync: Scenario = {
  name: 'coldsync',
  async run(ctx) {
    const { pool, sizes, log } = ctx
    const { writers, editsPerWriter } = sizes.coldsync
    const specs: ClientSpec[] = Array.from({ length: writers }, (_, i) => ({
      id: `w${i}`,
      url: roomUrl(ctx.target.syncBase, ROOM, i),
      clientId: 1 + i,
      dialect: ctx.target.dialect,
      applyRemote: false,
    }))
    const { failed } = await connectAll(pool, specs)
    if (failed.length) throw new Error(`coldsync: ${failed.length} writers failed to connect: ${failed[0].error}`)
    log(`${writers} writers × ${editsPerWriter} edits`)
    const usage = meter(ctx.target.pid)
    const parts = byWorker(specs, pool)
    const written = (await pool.each<WriterResult[]>((w) => (parts[w].length ? { cmd: 'burst', writers: parts[w].map((s) => s.id), edits: editsPerWriter } : null))).flat()
    const ingest = usage.stop()
    const seconds = (Math.max(...written.map((w) => w.ackedAt)) - Math.min(...written.map((w) => w.startedAt))) / 1000
    const expected: Expected = Object.fromEntries(written.map((w) => [w.clientId, w.clock]))
    log(`ingested ${writers * editsPerWriter} edits in ${seconds.toFixed(2)} s`)

    const warm = await freshSync(ctx, expected, writers)
    await closeAll(pool)
    let cold = { ms: NaN, firstMs: NaN, bytes: NaN, ok: NaN }
    let restartMs = NaN
    if (ctx.target.durable) {
      const t0 = now()
      ctx.target = await ctx.target.restart()
      restartMs = now() - t0
      log(`restarted in ${Math.round(restartMs)} ms`)
      cold = await freshSync(ctx, expected, writers + FRESH_CLIENTS)
      await closeAll(pool)
    }
    return {
      ingestOpsPerS: (writers * editsPerWriter) / seconds,
      ingestCpuS: ingest.cpuS,
      syncMs: warm.ms,
      syncKB: warm.bytes / 1024,
      syncAfterRestartMs: cold.firstMs,
      syncAfterRestartMedianMs: cold.ms,
      syncAfterRestartKB: cold.bytes / 1024,
      restartMs,
      complete: Math.min(warm.ok, Number.isNaN(cold.ok) ? 1 : cold.ok),
      peakRssMB: ingest.peakRssMB,
    }
  },
}

/** Fresh clients that sync one after another; the first after a restart also loads the room. */
export const FRESH_CLIENTS = 5

/**
 * New clients sync the room one at a time; each must receive every ingested edit.
 * `firstMs` is the first one (after a restart: includes loading the room from disk),
 * `ms` the median of all.
 */
async function freshSync(ctx: ScenarioContext, expected: Expected, firstIndex: number) {
  const times: number[] = []
  let bytes = 0
  let ok = 1
  for (let k = 0; k < FRESH_CLIENTS; k++) {
    const index = firstIndex + k
    const spec: ClientSpec = { id: `fresh${index}`, url: roomUrl(ctx.target.syncBase, ROOM, index), clientId: 10_000 + index, dialect: ctx.target.dialect, applyRemote: true }
    const [result] = await ctx.pool.send<ConnectResult[]>(0, { cmd: 'connect', clients: [spec], concurrency: 1, timeoutMs: 60_000 })
    if (!result.ok) throw new Error(`coldsync: fresh client failed: ${result.error}`)
    const waits = await ctx.pool.send<WaitResult[]>(0, { cmd: 'waitFor', expected, timeoutMs: 10_000 })
    if (!waits.every((w) => w.ok)) ok = 0
    times.push(result.connectMs)
    bytes = result.bytes
  }
  return { ms: median(times), firstMs: times[0], bytes, ok }
}
