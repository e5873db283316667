// Where a room's sockets are served when several servers share one Postgres: loading a room
// takes it (PostgresStorage.load), so the first instance to need a free room, or one whose
// owner's lease lapsed, serves it; a room a live instance holds is relayed there.

import type { SyncCore } from '../core/SyncCore.ts'
import type { RoomRoute } from '../ws/attachSync.ts'
import { OwnedElsewhere } from '../storage/ownership.ts'

export function routeByOwnership(core: SyncCore): (room: string) => Promise<RoomRoute> {
  return async (room) => {
    try {
      await core.room(room)
      return { kind: 'local' }
    } catch (err) {
      // An owner that has not advertised its URL yet (just starting): the client retries.
      if (err instanceof OwnedElsewhere) return err.url ? { kind: 'relay', ownerUrl: err.url } : { kind: 'moved' }
      throw err
    }
  }
}
