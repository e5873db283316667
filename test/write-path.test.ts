// [core] A room's document has one writer, its write queue (server/core/WriteQueue.ts). A change
// made to the document directly was never stored: it must reach no client (they would hold what a
// restart loses), and its writer must hear about it.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startTestServer, type TestServer } from './helpers/server.ts'
import { connectStock, synced, text, type StockClient } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'

let server: TestServer
const clients: StockClient[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  await server?.close()
})

/** Every update the client's document received, as text it inserted. */
function receivedTexts(client: StockClient): string[] {
  const seen: string[] = []
  client.doc.on('update', (update: Uint8Array) => {
    for (const s of Y.decodeUpdate(update).structs) {
      if (s instanceof Y.Item && s.content instanceof Y.ContentString) seen.push(s.content.str)
    }
  })
  return seen
}

describe('the write path is the only way into a room document', () => {
  it.each(['w1/shared', 'w1/ns/alice'])('%s: a direct write throws at its writer and reaches no client', async (room) => {
    server = await startTestServer()
    const client = connectStock(server.wsUrl, room, 'alice')
    clients.push(client)
    await synced(client)
    text(client).insert(0, 'stored ')
    const first = await server.core.room(room)
    await waitFor(() => first.doc.getText('main').toString() === 'stored ', 'the client write to be applied')
    const received = receivedTexts(client)

    expect(() => first.doc.transact(() => first.doc.getText('main').insert(0, 'unstored '))).toThrow(/bypassed storage/)

    // A stored write after the direct one reaches the client (appended after what is stored); the direct one never did.
    await first.writeAsServer('alice', 'after', (d) => d.getText('main').insert(d.getText('main').length, 'after'))
    await waitFor(() => text(client).toString() === 'stored after', 'the stored write to reach the client')
    expect(received).toEqual(['after'])
  })
})
