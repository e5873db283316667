// [perf] A new sync socket costs the server one write syscall for its opening: the upgrade
// response and the room's sync step 1 leave together (server/ws/attachSync.ts holdFirstWrites),
// for a room loaded by this connection and for one already loaded. Counted on the server's own
// sockets (the test process runs the server): each _write/_writev of a net.Socket is one write
// to the kernel.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Socket } from 'node:net'
import WebSocket from 'ws'
import * as decoding from 'lib0/decoding'
import { startTestServer, token, type TestServer } from './helpers/server.ts'
import { nextEvent } from './helpers/wait.ts'
import { MESSAGE_SYNC } from '../shared/wire/index.ts'

let server: TestServer
const sockets: WebSocket[] = []
/** Writes the server made, per server-side socket (keyed by the client's port). */
const writes = new Map<number, number>()
const original = { write: Socket.prototype._write, writev: Socket.prototype._writev }

beforeAll(async () => {
  server = await startTestServer()
  const count = (socket: Socket) => {
    if (socket.localPort === server.port && socket.remotePort !== undefined) writes.set(socket.remotePort, (writes.get(socket.remotePort) ?? 0) + 1)
  }
  Socket.prototype._write = function (this: Socket, ...args: Parameters<Socket['_write']>) {
    count(this)
    return original.write.apply(this, args)
  }
  Socket.prototype._writev = function (this: Socket, ...args: Parameters<NonNullable<Socket['_writev']>>) {
    count(this)
    return original.writev!.apply(this, args)
  }
})

afterEach(() => {
  for (const ws of sockets.splice(0)) ws.terminate()
})

afterAll(async () => {
  Socket.prototype._write = original.write
  Socket.prototype._writev = original.writev
  await server?.close()
})

/** Opens a raw socket on `room` and resolves with the server's writes once its first message arrived. */
async function openingWrites(room: string): Promise<{ writes: number; first: Uint8Array }> {
  const ws = new WebSocket(`${server.wsUrl}/${room}?token=${token('alice')}`)
  sockets.push(ws)
  // Listening before 'open': a message that came with the upgrade response is emitted right after it.
  const [data] = await Promise.race([nextEvent<[Buffer]>(ws, 'message'), nextEvent(ws, 'close').then(() => Promise.reject(new Error('closed before a message')))])
  const port = (ws as unknown as { _socket: Socket })._socket.localPort!
  return { writes: writes.get(port) ?? 0, first: new Uint8Array(data) }
}

describe('a sync socket opens with one server write', () => {
  it.each([
    ['a shared room this connection loads', 'w1/shared'],
    ['the same room, now loaded', 'w1/shared'],
    ['a namespace room', 'w1/ns/alice'],
  ])('%s: the upgrade response and sync step 1 leave in one write', async (_what, room) => {
    const { writes: n, first } = await openingWrites(room)
    const decoder = decoding.createDecoder(first)
    expect(decoding.readVarUint(decoder)).toBe(MESSAGE_SYNC)
    expect(decoding.readVarUint(decoder)).toBe(0) // sync step 1
    expect(n).toBe(1)
  })
})
