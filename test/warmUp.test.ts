// server/core/warmUp.ts runs the room load and sync steps once at start-up on a scratch
// document: it must go through the conflict detector's real load without reporting anything.

import { describe, expect, it } from 'vitest'
import { warmUp } from '../server/core/warmUp.ts'
import { ConflictWatch } from '../server/conflicts/ConflictWatch.ts'

describe('warmUp', () => {
  it('loads a scratch room through the conflict watch (snapshot and replayed tail) and reports nothing', async () => {
    const reported: unknown[] = []
    const replayErrors: unknown[] = []
    const watch = new ConflictWatch(
      'warm-up/shared',
      async (records) => void reported.push(...records),
      (err) => replayErrors.push(err),
    )
    let loaded = 0
    const load = watch.load.bind(watch)
    watch.load = async (doc, state) => {
      loaded++
      expect(state.snapshot).not.toBeNull()
      expect(state.updates).toHaveLength(1)
      await load(doc, state)
      expect(doc.getText('main').toString()).toBe('up the sync path.')
    }
    await warmUp(watch)
    expect(loaded).toBe(1)
    expect(reported).toEqual([])
    expect(replayErrors).toEqual([])
  })
})
