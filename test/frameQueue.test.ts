// FrameQueue: a paused connection's held frames come out in order, also across the compactions
// that replace the copy per resume (the cost is measured by bench/stream.ts, not here).
import { describe, expect, it } from 'vitest'
import { FrameQueue } from '../server/core/FrameQueue.ts'

const frame = (n: number) => new Uint8Array([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff])
const id = (f: Uint8Array | undefined) => (f ? f[0] + (f[1] << 8) + (f[2] << 16) : -1)

describe('FrameQueue', () => {
  it('keeps arrival order through interleaved pushes and shifts, across compactions', () => {
    const q = new FrameQueue()
    let pushed = 0
    let taken = 0
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) q.push(frame(pushed++))
      for (let i = 0; i < 250; i++) expect(id(q.shift())).toBe(taken++)
      expect(q.length).toBe(pushed - taken)
    }
    while (q.length > 0) expect(id(q.shift())).toBe(taken++)
    expect(taken).toBe(pushed)
    expect(q.shift()).toBeUndefined()
  })

  it('clear empties it', () => {
    const q = new FrameQueue()
    for (let i = 0; i < 10; i++) q.push(frame(i))
    q.shift()
    q.clear()
    expect(q.length).toBe(0)
    expect(q.shift()).toBeUndefined()
  })
})
