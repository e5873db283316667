// [perf] The detector probes a writer (a sync step 1) after its sync step 2 to prove it integrated
// the document (server/core/Room.ts noteDelivered). An empty document delivered nothing, so a
// client opening a new room hears one step 1 (the opening), not two; a document with content is
// still probed after its step 2. Raw protocol over a real socket: the client answers every
// step 1 as y-websocket does and counts them; a persisted request (answered after everything
// before it) marks the point by which a probe would have arrived.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import { startTestServer, token, type TestServer } from './helpers/server.ts'
import { connectStock, synced, text } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'
import { MESSAGE_PERSISTED, MESSAGE_SYNC, persistedRequest, syncStep1Message, syncStep2Message } from '../shared/wire/index.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})

afterAll(async () => {
  await server?.close()
})

/** Opens `room` as a raw writer, syncs, and resolves with how many sync step 1s the server sent by the reply to a persisted request. */
async function stepOnesUntilPersisted(room: string): Promise<number> {
  const doc = new Y.Doc()
  const ws = new WebSocket(`${server.wsUrl}/${room}?token=${token('alice')}`)
  let stepOnes = 0
  try {
    return await new Promise<number>((resolve, reject) => {
      ws.on('error', reject)
      ws.on('close', (code) => reject(new Error(`closed ${code}`)))
      ws.on('open', () => ws.send(syncStep1Message(doc)))
      ws.on('message', (data: Buffer) => {
        const decoder = decoding.createDecoder(new Uint8Array(data))
        const type = decoding.readVarUint(decoder)
        if (type === MESSAGE_PERSISTED) return resolve(stepOnes)
        if (type !== MESSAGE_SYNC) return
        const subtype = decoding.readVarUint(decoder)
        const payload = decoding.readVarUint8Array(decoder)
        if (subtype === 0) {
          stepOnes++
          ws.send(syncStep2Message(Y.encodeStateAsUpdate(doc, payload)))
        } else {
          Y.applyUpdate(doc, payload)
          // The server's step 2: a probe after it is written with it, before this request's reply.
          if (subtype === 1) ws.send(persistedRequest(1))
        }
      })
    })
  } finally {
    ws.terminate()
    doc.destroy()
  }
}

describe('the opening probe', () => {
  it('a client opening an empty shared room hears one sync step 1', async () => {
    expect(await stepOnesUntilPersisted('w1/shared')).toBe(1)
  })

  it('a client opening a shared room with content is probed after its step 2 (two step 1s)', async () => {
    const writer = connectStock(server.wsUrl, 'team/shared', 'alice')
    try {
      await synced(writer)
      text(writer).insert(0, 'hello')
      const room = await server.core.room('team/shared')
      await waitFor(() => room.doc.getText('main').length > 0, 'the write applied in the room')
      expect(await stepOnesUntilPersisted('team/shared')).toBe(2)
    } finally {
      writer.destroy()
    }
  })
})
