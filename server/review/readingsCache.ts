// Readings computed once per state: the placed and grouped annotations of one document are a
// function of the shared text, the readable namespaces and the vocabulary, so a result is kept
// under the storage sequence numbers of those rooms (Room.appliedSeq, which every accepted update
// raises) and reused until one of them moves. Only complete results are kept: one the time
// budget cut short is computed again next time. Requests that arrive while the same readings
// are being computed wait for that computation instead of starting their own. One cache per
// SyncCore (servers in one process do not share), least recently used out first.

import type { Divergences } from '../../shared/review/index.ts'
import { namespaceRoom, sharedRoom, tasksRoom } from '../../shared/rooms.ts'
import type { SyncCore } from '../core/SyncCore.ts'

const ENTRIES = 64

const caches = new WeakMap<SyncCore, Map<string, Divergences>>()
const inflight = new WeakMap<SyncCore, Map<string, Promise<Divergences>>>()

/** The readings under `key`: kept, being computed by another request, or computed now by `compute`. */
export function readingsOnce(core: SyncCore, key: string, compute: () => Promise<Divergences>): Promise<Divergences> {
  const kept = cachedReadings(core, key)
  if (kept) return Promise.resolve(kept)
  let running = inflight.get(core)
  if (!running) inflight.set(core, (running = new Map()))
  const pending = running.get(key)
  if (pending) return pending
  const started = compute()
    .then((result) => {
      keepReadings(core, key, result)
      return result
    })
    .finally(() => running.delete(key))
  running.set(key, started)
  return started
}

/** The key of `doc`'s readings for this set of readable namespaces, as the rooms are now. */
export async function readingsKey(core: SyncCore, workspace: string, doc: string, owners: string[]): Promise<string> {
  const seq = async (room: string) => (await core.room(room)).appliedSeq
  const namespaces = await Promise.all([...owners].sort().map(async (o) => [o, await seq(namespaceRoom(workspace, o))] as const))
  // The tasks room holds the workspace vocabulary (shared/review/state.ts).
  return JSON.stringify([workspace, doc, await seq(sharedRoom(workspace)), await seq(tasksRoom(workspace)), namespaces])
}

function cachedReadings(core: SyncCore, key: string): Divergences | undefined {
  const cache = caches.get(core)
  const hit = cache?.get(key)
  if (cache && hit) {
    cache.delete(key)
    cache.set(key, hit)
  }
  return hit
}

function keepReadings(core: SyncCore, key: string, value: Divergences): void {
  if (value.skipped.some((s) => s.reason === 'time-budget')) return
  let cache = caches.get(core)
  if (!cache) caches.set(core, (cache = new Map()))
  cache.set(key, value)
  while (cache.size > ENTRIES) cache.delete(cache.keys().next().value as string)
}
