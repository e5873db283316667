// Before there was one review room per namespace, a workspace kept every decision in one room
// `W/review` that every member could read (the leak DESIGN.md §2 [harden] closes). At start, the
// entries of each such room move into the review room of the namespace they are about
// (`W/review/<owner>`, keeping anything already there), and the old room is marked moved so the
// next start skips it. `W/review` is no longer a room name: no socket, API or metric reaches it.
import type { Logger } from 'pino'
import { SERVER_PRINCIPAL } from '../../shared/model.ts'
import { isValidId, reviewRoom } from '../../shared/rooms.ts'
import { REVIEW_MAPS, readReviewState, type ReviewState } from '../../shared/review/index.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import type { DocumentStorage } from '../storage/index.ts'

const MOVED = 'moved'
const LEGACY = /^([^/]+)\/review$/

/** Moves every legacy review room's entries; returns how many entries were written. */
export async function moveLegacyReviewRooms(deps: { storage: DocumentStorage; core: SyncCore; logger: Logger }): Promise<number> {
  let written = 0
  for (const name of await deps.storage.rooms()) {
    const workspace = LEGACY.exec(name)?.[1]
    if (!workspace || !isValidId(workspace)) continue
    const legacy = await deps.core.room(name)
    if (legacy.doc.getMap(MOVED).has('at')) continue
    for (const [owner, state] of byOwner(readReviewState(legacy.doc))) {
      if (!isValidId(owner)) {
        deps.logger.warn({ room: name, owner }, 'legacy review entries name no valid namespace; left in place')
        continue
      }
      const target = await deps.core.room(reviewRoom(workspace, owner))
      await target.writeAsServer(SERVER_PRINCIPAL, `move from ${name}`, (doc) => {
        // Keep what the namespace's room already holds: it is newer than the legacy room.
        const put = (map: string, key: string, value: unknown) => {
          const m = doc.getMap(map)
          if (m.has(key)) return
          m.set(key, value)
          written++
        }
        for (const [k, v] of state.decisions) put(REVIEW_MAPS.decisions, k, v)
        for (const list of state.replies.values()) for (const r of list) put(REVIEW_MAPS.replies, r.id, r)
        for (const [k, v] of state.proposals) put(REVIEW_MAPS.proposals, k, v)
      })
    }
    await legacy.writeAsServer(SERVER_PRINCIPAL, 'moved into per-namespace review rooms', (doc) => doc.getMap(MOVED).set('at', Date.now()))
    deps.logger.info({ room: name }, 'legacy review room moved into per-namespace review rooms')
  }
  return written
}

/** Splits one review state by the namespace owner each key names (`<owner>/<id>`). */
function byOwner(state: ReviewState): Map<string, ReviewState> {
  const out = new Map<string, ReviewState>()
  const of = (key: string): ReviewState => {
    const owner = key.slice(0, key.indexOf('/'))
    let s = out.get(owner)
    if (!s) out.set(owner, (s = { decisions: new Map(), replies: new Map(), proposals: new Map() }))
    return s
  }
  for (const [k, v] of state.decisions) if (k.includes('/')) of(k).decisions.set(k, v)
  for (const [target, list] of state.replies) if (target.includes('/')) of(target).replies.set(target, list)
  for (const [k, v] of state.proposals) if (k.includes('/')) of(k).proposals.set(k, v)
  return out
}
