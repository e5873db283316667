// Room compaction with server/storage/compaction.ts's policy: a live room with a large document
// folds its log less often (a compaction rewrites the whole document), and a room that closes
// folds with the fixed bound, so its next load replays fewer than maxUpdates updates.

import { describe, expect, it } from 'vitest'
import { SyncCore } from '../server/core/SyncCore.ts'
import { DEFAULT_COMPACTION_LIMITS, MemoryStorage, shouldCompact } from '../server/storage/index.ts'
import { ServerMetrics } from '../server/metrics.ts'
import { createLogger } from '../server/logger.ts'

const ROOM = 'w1/shared'

describe('room compaction', () => {
  it('a live room waits longer before folding a large document; closing folds what the fixed bound says', async () => {
    const { maxUpdates, snapshotBytesPerUpdate } = DEFAULT_COMPACTION_LIMITS
    const storage = new MemoryStorage()
    const core = new SyncCore({ storage, metrics: new ServerMetrics(), logger: createLogger('silent'), shouldCompact })
    const room = await core.room(ROOM)
    // A snapshot large enough that a live room waits for twice maxUpdates updates.
    await room.writeAsServer('alice', 'test', (doc) => doc.getText('main').insert(0, 'x'.repeat(2 * maxUpdates * snapshotBytesPerUpdate!)))
    await room.compactIfNeeded(true)
    const folded = (await storage.load(ROOM)).snapshotSeq
    expect(folded).toBeGreaterThan(0)

    const edits = maxUpdates + 100
    for (let i = 0; i < edits; i++) await room.writeAsServer('alice', 'test', (doc) => doc.getText('main').insert(0, 'y'))
    await room.drain()
    await room.compactIfNeeded() // what the room runs each time its queue drains
    const live = await storage.load(ROOM)
    expect(live.snapshotSeq).toBe(folded)
    expect(live.updates).toHaveLength(edits)

    await core.close()
    const closed = await storage.load(ROOM)
    expect(closed.updates).toHaveLength(0)
    expect(closed.snapshotSeq).toBe(folded + edits)
  })
})
