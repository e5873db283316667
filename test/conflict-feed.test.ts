// The browser's conflict feed keeps what it heard while a refetch was in flight: the refetch's
// answer may have been read before a conflict arrived on the event stream, and replacing the list
// with it would drop the card just shown (a flake of test/e2e/conflicts.test.ts under load).
// A real server answers the refetch; the test holds that answer back until the event is heard.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConflictFeed, withHeard } from '../client/src/lib/conflicts.svelte.ts'
import { ApiClient } from '../shared/api/index.ts'
import type { ConflictRecord } from '../shared/conflicts/index.ts'
import { startTestServer, token, type TestServer } from './helpers/server.ts'

const record = (id: string, status: ConflictRecord['status'] = 'open'): ConflictRecord => ({
  id,
  kind: 'map-key-overwrite',
  doc: 'w1/shared',
  location: { kind: 'map', path: ['meta', id] },
  parties: [
    { principal: 'agent-a', value: 1 },
    { principal: 'agent-b', value: 2 },
  ],
  status,
  detectedAt: 1,
})

/** An event stream the test drives: the feed's injection point for EventSource. */
class DrivenEventSource extends EventTarget {
  static last: DrivenEventSource | null = null
  readyState = 1
  onopen: (() => void) | null = null
  onerror: (() => void) | null = null
  constructor(readonly url: string) {
    super()
    DrivenEventSource.last = this
  }
  emit(record: ConflictRecord): void {
    this.dispatchEvent(new MessageEvent('conflict', { data: JSON.stringify(record) }))
  }
  close(): void {
    this.readyState = 2
  }
}

describe('withHeard', () => {
  it('keeps a heard record the fetched list lacks, and lets a settled fetched record beat a heard open one', () => {
    expect(withHeard([], [record('x')]).map((c) => c.id)).toEqual(['x'])
    expect(withHeard([record('x', 'resolved')], [record('x')])[0].status).toBe('resolved')
    expect(withHeard([record('x')], [record('x', 'resolved')])[0].status).toBe('resolved')
    expect(
      withHeard([record('x'), record('y')], [])
        .map((c) => c.id)
        .sort(),
    ).toEqual(['x', 'y'])
  })
})

describe('ConflictFeed', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server?.close()
  })

  it('keeps a conflict heard on the event stream while an older refetch answer was on its way', async () => {
    const api = new ApiClient({ baseUrl: server.url, token: token('alice') })
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let answered = 0
    // The real server's answer (no conflicts yet), delivered only once the test says so.
    const slow = Object.assign(Object.create(api) as ApiClient, {
      conflicts: async (...args: Parameters<ApiClient['conflicts']>) => {
        const page = await api.conflicts(...args)
        answered++
        await held
        return page
      },
    })
    const feed = new ConflictFeed({ workspace: 'w1', api: slow, token: token('alice'), EventSource: DrivenEventSource as unknown as typeof EventSource })
    const refetched = feed.refetch()
    await expect.poll(() => answered).toBe(1)
    feed.start() // its own first refetch is held too
    DrivenEventSource.last!.emit(record('x'))
    expect(feed.all.map((c) => c.id)).toEqual(['x'])
    release()
    await refetched
    await expect.poll(() => answered).toBe(2)
    await new Promise((resolve) => setImmediate(resolve))
    expect(feed.all.map((c) => c.id)).toEqual(['x'])
    expect(feed.state).toBe('live')
    feed.stop()
  })
})
