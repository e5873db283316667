// fanout over N instances: one room, clients round-robin over the instances, a few writers at a
// fixed rate. Client 0 connects first, so instance a owns the room and the clients on the other
// N−1 instances are relayed to it (an edit from a relayed writer to a relayed reader crosses two
// relays). Against N = 1 this is the relay's cost in delivery latency and server CPU.

import { setTimeout as sleep } from 'node:timers/promises'
import { now } from '../BenchClient.ts'
import { FANOUT_WORKSPACE, roomUrl } from '../bootstrap.ts'
import { distribution } from '../stats.ts'
import type { ClientSpec, ConnectResult, WriterResult } from '../workerProtocol.ts'
import { byWorker, closeAll, converged, expectedOf, waitAll } from '../scenarios/context.ts'
import { metric } from './instances.ts'
import { clusterMeter, instanceFor, type ClusterScenario } from './context.ts'

const IDLE_MS = 3_000

export const fanoutSpread: ClusterScenario = {
  name: 'fanout',
  async run(ctx) {
    const { pool, instances, sizes, log } = ctx
    const { clients, writers, rate, durationS } = sizes.fanout
    const room = `${FANOUT_WORKSPACE}/shared`
    const specs: ClientSpec[] = Array.from({ length: clients }, (_, i) => ({
      id: `f${i}`,
      url: roomUrl(instanceFor(i, instances).syncBase, room, i),
      clientId: 1 + i,
      dialect: 'polyphony',
      applyRemote: true,
    }))
    // The owner is whoever loads the room first: client 0 alone, on instance a.
    const first = await pool.send<ConnectResult[]>(0, { cmd: 'connect', clients: [specs[0]], concurrency: 1, timeoutMs: 30_000 })
    if (!first[0].ok) throw new Error(`fanout: the first client failed to connect: ${first[0].error}`)
    // The rest, spread over the workers by index (client 0 is already held by worker 0).
    const rest = specs.slice(1)
    const parts = byWorker(specs, pool).map((part) => part.filter((s) => s !== specs[0]))
    const results = (await pool.each<ConnectResult[]>((w) => (parts[w].length ? { cmd: 'connect', clients: parts[w], concurrency: 10, timeoutMs: 30_000 } : null))).flat()
    const failed = results.filter((r) => !r.ok)
    if (failed.length) throw new Error(`fanout: ${failed.length} of ${rest.length} clients failed to connect: ${failed[0].error}`)
    const relayed = (await Promise.all(instances.map((i) => metric(i, 'polyphony_relayed_sockets')))).reduce((a, b) => a + b, 0)
    // What the instances and PostgreSQL spend with every client connected and nobody writing
    // (heartbeats, timers, pings): the part of the CPU rows below that is not the edits.
    const idle = clusterMeter(ctx)
    await sleep(IDLE_MS)
    const idleUse = idle.stop()
    log(`${clients} clients synced (${relayed} relayed); ${writers} writers × ${rate}/s for ${durationS} s`)
    const usage = clusterMeter(ctx)
    const writerIds = new Set(specs.slice(0, writers).map((s) => s.id))
    const writerParts = byWorker(specs, pool).map((part) => part.filter((s) => writerIds.has(s.id)).map((s) => s.id))
    const startAt = now() + 300
    const written = (
      await pool.each<WriterResult[]>((w) => (writerParts[w].length ? { cmd: 'paced', writers: writerParts[w], rate, durationMs: durationS * 1000, startAt } : null))
    ).flat()
    const waits = await waitAll(pool, expectedOf(written), 30_000)
    const server = usage.stop()
    const ok = waits.every((w) => w.ok) ? await converged(pool) : 0
    const lost = (await Promise.all(instances.map((i) => metric(i, 'polyphony_rooms_lost_total')))).reduce((a, b) => a + b, 0)
    await closeAll(pool)
    const lat = distribution(waits.flatMap((w) => w.latencies))
    // Readers on instance a get edits from the owner's process; the others through their relay.
    const onOwner = new Set(specs.filter((_, i) => instanceFor(i, instances) === instances[0]).map((s) => s.id))
    const relayedLat = distribution(waits.filter((w) => !onOwner.has(w.id)).flatMap((w) => w.latencies))
    const deliveries = waits.reduce((n, w) => n + w.deliveries, 0)
    const sent = written.reduce((n, w) => n + w.sent, 0)
    return {
      p50Ms: lat.p50,
      p95Ms: lat.p95,
      p99Ms: lat.p99,
      maxMs: lat.max,
      relayedP50Ms: relayedLat.p50,
      relayedP99Ms: relayedLat.p99,
      delivered: deliveries / (sent * (clients - 1)),
      relayedSockets: relayed,
      roomsLost: lost,
      cpuS: server.cpuS,
      pgCpuS: server.pgCpuS,
      cpuMsPerEdit: (server.cpuS * 1000) / sent,
      idleCpuPerS: idleUse.cpuS / (IDLE_MS / 1000),
      idlePgCpuPerS: idleUse.pgCpuS / (IDLE_MS / 1000),
      converged: ok,
    }
  },
}
