// [perf] The ws adapter frames a message once and writes the same frame to every socket it goes
// to (server/ws/sharedFrames.ts): ws's own receiver reads each frame back as the message, at
// every length encoding (7-bit, 16-bit, 64-bit), and one message is framed once.

import { describe, expect, it } from 'vitest'
import { createRequire } from 'node:module'
import { binaryFrame } from '../server/ws/sharedFrames.ts'

/** ws's frame parser (exported by ws, not typed by @types/ws): what every ws client reads with. */
interface FrameReceiver {
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): void
  on(event: 'error', fn: (err: Error) => void): void
  write(chunk: Buffer): void
}
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (opts: { isServer: boolean; maxPayload: number; binaryType: string }) => FrameReceiver
}

/** What a ws client reads from `bytes`: its messages, binary flag and data. */
function parse(bytes: Buffer): Array<{ data: Buffer; isBinary: boolean }> {
  const out: Array<{ data: Buffer; isBinary: boolean }> = []
  const receiver = new Receiver({ isServer: false, maxPayload: 0, binaryType: 'nodebuffer' })
  receiver.on('message', (data: Buffer, isBinary: boolean) => out.push({ data, isBinary }))
  receiver.on('error', (err: Error) => {
    throw err
  })
  receiver.write(bytes)
  return out
}

describe('shared frames', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 70_001])('a %i-byte message is read back whole by a ws client', (n) => {
    const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff)
    const frames = parse(binaryFrame(data))
    expect(frames).toHaveLength(1)
    expect(frames[0].isBinary).toBe(true)
    expect(Buffer.compare(frames[0].data, data)).toBe(0)
  })

  it('one message is framed once; two frames written back to back are read as two messages', () => {
    const a = Uint8Array.of(0, 2, 1, 9)
    const b = Uint8Array.of(0, 0, 3, 1, 2, 3)
    expect(binaryFrame(a)).toBe(binaryFrame(a))
    const read = parse(Buffer.concat([binaryFrame(a), binaryFrame(b)]))
    expect(read.map((m) => [...m.data])).toEqual([[...a], [...b]])
  })
})
