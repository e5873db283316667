// claims over N instances: C claimers, each with a task of its own in one workspace, loop
// claim → release through the HTTP API for a fixed time; claimer k talks to instance k mod N.
// Every claim and release is a transaction on the shared task store plus a reflection into the
// workspace's task room, which one instance owns (requests landing elsewhere are forwarded).
//
// Claims are only comparable across instances when the instances share the task store: the run
// first checks that a task created through instance a is visible through every other one, and
// reports `shared = 0` (and nothing else) when it is not.

import { FANOUT_WORKSPACE, tokenOf } from '../bootstrap.ts'
import { distribution } from '../stats.ts'
import type { Measurements } from '../scenarios/context.ts'
import { clusterMeter, instanceFor, type ClusterScenario } from './context.ts'
import type { Instance } from './instances.ts'

const TTL_MS = 30_000
const REQUEST_TIMEOUT_MS = 15_000
/** A claimer that keeps failing stops instead of spinning for the whole window. */
const MAX_ERRORS_PER_CLAIMER = 20

const taskId = (k: number) => `bench-claim-${k}`

async function api(instance: Instance, i: number, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${instance.url}/api/workspaces/${FANOUT_WORKSPACE}/tasks${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${tokenOf(i)}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> }
}

export const claims: ClusterScenario = {
  name: 'claims',
  async run(ctx): Promise<Measurements> {
    const { instances, sizes, log } = ctx
    const { claimers, durationS } = sizes.claims
    const [a, ...others] = instances
    for (let k = 0; k < claimers; k++) {
      const r = await api(a, k, '', { id: taskId(k), title: `claim bench ${k}` })
      if (r.status !== 201 && r.status !== 200) throw new Error(`claims: creating task ${taskId(k)} answered ${r.status} ${JSON.stringify(r.json)}`)
    }
    for (const other of others) {
      const seen = await api(other, 0, `/${taskId(0)}`)
      if (seen.status !== 200) {
        log(`a task created through instance ${a.id} is not visible through ${other.id} (${seen.status}): the instances do not share tasks`)
        return { shared: 0 }
      }
    }
    log(`${claimers} claimers × claim+release for ${durationS} s`)
    const usage = clusterMeter(ctx)
    const claimMs: number[] = []
    const releaseMs: number[] = []
    let errors = 0
    let firstError = ''
    const started = performance.now()
    const deadline = started + durationS * 1000
    await Promise.all(
      Array.from({ length: claimers }, async (_, k) => {
        const instance = instanceFor(k, instances)
        let mine = 0
        while (performance.now() < deadline && mine < MAX_ERRORS_PER_CLAIMER) {
          const t0 = performance.now()
          const claim = await api(instance, k, `/${taskId(k)}/claim`, { ttlMs: TTL_MS })
          const t1 = performance.now()
          const fencingToken = claim.json.fencingToken
          if (claim.status !== 200 || typeof fencingToken !== 'number') {
            mine++
            firstError ||= `claim ${claim.status} ${JSON.stringify(claim.json).slice(0, 200)}`
            continue
          }
          claimMs.push(t1 - t0)
          const release = await api(instance, k, `/${taskId(k)}/release`, { fencingToken })
          if (release.status !== 200) {
            mine++
            firstError ||= `release ${release.status} ${JSON.stringify(release.json).slice(0, 200)}`
            continue
          }
          releaseMs.push(performance.now() - t1)
        }
        errors += mine
      }),
    )
    const wallS = (performance.now() - started) / 1000
    const server = usage.stop()
    if (errors) log(`${errors} refused claims or releases; first: ${firstError}`)
    const claim = distribution(claimMs)
    const release = distribution(releaseMs)
    return {
      shared: 1,
      claimsPerS: releaseMs.length / wallS,
      claimP50Ms: claim.p50,
      claimP99Ms: claim.p99,
      releaseP50Ms: release.p50,
      releaseP99Ms: release.p99,
      errors,
      cpuS: server.cpuS,
      pgCpuS: server.pgCpuS,
    }
  },
}
