// [core] A room's document has one writer, its write queue (server/core/WriteQueue.ts). A change
// made to the document directly was never stored: it must reach no client (they would hold what a
// restart loses), no snapshot, and its writer must hear about it.

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
  it.each(['w1/shared', 'w1/ns/alice'])('%s: a direct write throws at its writer, reaches no client and is not stored', async (room) => {
    server = await startTestServer()
    const client = connectStock(server.wsUrl, room, 'alice')
    clients.push(client)
    await synced(client)
    text(client).insert(0, 'stored ')
    const first = await server.core.room(room)
    await waitFor(() => first.doc.getText('main').toString() === 'stored ', 'the client write to be applied')
    const received = receivedTexts(client)

    expect(() => first.doc.transact(() => first.doc.getText('main').insert(0, 'unstored '))).toThrow(/bypassed storage/)

    // The room closed its sockets (a transient code) and was dropped: the next use loads what is stored.
    await waitFor(() => client.closes.some((c) => c.code === 1011), 'the socket to be closed for a resync')
    await expect(first.writeAsServer('alice', 'late', (d) => d.getText('main').insert(0, 'late '))).rejects.toThrow(/bypassed storage/)
    const reloaded = await server.core.room(room)
    expect(reloaded).not.toBe(first)
    expect(reloaded.doc.getText('main').toString()).toBe('stored ')

    // The client reconnects and resyncs; a stored write after the direct one reaches it, the direct one never did.
    await waitFor(() => client.provider.wsconnected && client.provider.synced, 'the client to reconnect')
    await reloaded.writeAsServer('alice', 'after', (d) => d.getText('main').insert(d.getText('main').length, 'after'))
    await waitFor(() => text(client).toString() === 'stored after', 'the stored write to reach the client')
    expect(received).toEqual(['after'])
  })

  it('a write-back from an observer while the queue applies reaches no client, and the room reloads what is stored', async () => {
    server = await startTestServer()
    const room = 'w1/shared'
    const alice = connectStock(server.wsUrl, room, 'alice')
    const bob = connectStock(server.wsUrl, room, 'bob')
    clients.push(alice, bob)
    await synced(alice, bob)
    const first = await server.core.room(room)
    // Server code reacting to an applied update by writing to the document itself, not through writeAsServer.
    first.doc.getMap('m').observe(() => first.doc.getMap('echo').set('x', 'unstored'))

    alice.doc.getMap('m').set('k', 'stored')

    await waitFor(() => bob.closes.some((c) => c.code === 1011), 'the sockets to be closed for a resync')
    const reloaded = await server.core.room(room)
    expect(reloaded).not.toBe(first)
    expect(reloaded.doc.getMap('m').get('k')).toBe('stored')
    expect(reloaded.doc.getMap('echo').size).toBe(0)
    await waitFor(() => bob.doc.getMap('m').get('k') === 'stored', 'the stored write to reach bob after his resync')
    expect(bob.doc.getMap('echo').size).toBe(0)
    expect(alice.doc.getMap('echo').size).toBe(0)
  })
})
