// shared/wire/: the frames every side builds are the ones stock y-protocols builds and reads,
// our own messages 100 and 101 read back what was written, and one rule says which close codes
// end retrying, for every code the server sends (the SDK and the browser both use it).

import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import * as authProtocol from 'y-protocols/auth'
import * as awarenessProtocol from 'y-protocols/awareness'
import {
  CLOSE,
  KEEP_ALIVE_MESSAGE,
  MESSAGE_AUTH,
  MESSAGE_AWARENESS,
  MESSAGE_CAUSAL,
  MESSAGE_PERSISTED,
  MESSAGE_SYNC,
  awarenessMessage,
  causalMessage,
  isFinalClose,
  permissionDeniedMessage,
  persistedMessage,
  persistedRequest,
  readCausal,
  readPermissionDenied,
  readPersistedReply,
  readPersistedRequest,
  readSync,
  syncStep1Message,
  syncStep2Message,
  updateMessage,
} from '../shared/wire/index.ts'
import { describeClose } from '../client/src/lib/messages.ts'

/** Every close code the server may send, and whether a client must stop retrying after it. */
const CLOSE_RULE: Record<keyof typeof CLOSE, 'final' | 'transient'> = {
  normal: 'transient',
  goingAway: 'transient',
  unsupportedData: 'final',
  invalidPayload: 'final',
  policyViolation: 'final',
  messageTooBig: 'final',
  internalError: 'transient',
  tryAgainLater: 'transient',
  unauthenticated: 'final',
  forbidden: 'final',
  notFound: 'final',
  tooManyRooms: 'transient',
  tooManyRequests: 'transient',
  slowReader: 'transient',
  roomMoved: 'transient',
}

/** Codes a client sees without the server choosing them: a lost network (1006), unknown codes. */
const NOT_SENT_BY_SERVER = [1006, 1002, 4000, 4999]

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(path)
    return e.name.endsWith('.ts') ? [path] : []
  })
}

/** A decoder positioned after the message type, as y-websocket's messageHandlers receive it. */
function afterType(frame: Uint8Array, type: number): decoding.Decoder {
  const d = decoding.createDecoder(frame)
  expect(decoding.readVarUint(d)).toBe(type)
  return d
}

function docWith(text: string, clientId: number): Y.Doc {
  const doc = new Y.Doc()
  doc.clientID = clientId
  doc.getText('main').insert(0, text)
  return doc
}

describe('close codes', () => {
  it('isFinalClose follows the rule for every code the server has', () => {
    for (const [name, rule] of Object.entries(CLOSE_RULE)) {
      expect(isFinalClose(CLOSE[name as keyof typeof CLOSE]), `${name} (${CLOSE[name as keyof typeof CLOSE]})`).toBe(rule === 'final')
    }
    expect([...new Set(Object.values(CLOSE))].filter(isFinalClose).sort()).toEqual([1003, 1007, 1008, 1009, 4401, 4403, 4404])
  })

  it('codes the server does not choose (a lost network, unknown codes) are transient', () => {
    for (const code of NOT_SENT_BY_SERVER) expect(isFinalClose(code), String(code)).toBe(false)
  })

  it('the server closes sockets only with codes named in CLOSE (so the rule above covers them all)', () => {
    const used = new Set<string>()
    for (const file of sourceFiles('server')) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/\bCLOSE\.(\w+)/g)) used.add(m[1]!)
      // A literal code passed to a close would escape the rule.
      expect(text, file).not.toMatch(/\b(?:close|refuse|closeSocket|closeWhere)\([^)]*\b(?:1\d{3}|4\d{3})\b/)
    }
    expect(used.size).toBeGreaterThan(5)
    for (const name of used) expect(Object.keys(CLOSE_RULE), name).toContain(name)
  })

  it('the browser explains exactly the final closes (the transient ones reconnect silently)', () => {
    for (const code of [...Object.values(CLOSE), ...NOT_SENT_BY_SERVER]) {
      expect(describeClose(code, 'why', 'team/shared') !== null, String(code)).toBe(isFinalClose(code))
    }
  })
})

describe('frames', () => {
  it('sync frames are the bytes y-protocols writes, and a stock peer answers our step 1 with what it misses', () => {
    const mine = docWith('mine', 1)
    const theirs = docWith('theirs', 2)
    const stock = encoding.createEncoder()
    encoding.writeVarUint(stock, MESSAGE_SYNC)
    syncProtocol.writeSyncStep1(stock, mine)
    expect(syncStep1Message(mine)).toEqual(encoding.toUint8Array(stock))

    // The stock peer reads our step 1 and writes its step 2; ours for the same state is identical.
    const d = afterType(syncStep1Message(mine), MESSAGE_SYNC)
    const reply = encoding.createEncoder()
    encoding.writeVarUint(reply, MESSAGE_SYNC)
    syncProtocol.readSyncMessage(d, reply, theirs, null)
    expect(syncStep2Message(Y.encodeStateAsUpdate(theirs, Y.encodeStateVector(mine)))).toEqual(encoding.toUint8Array(reply))

    // Our update frame, read by a stock peer, applies.
    const update = Y.encodeStateAsUpdate(theirs)
    const u = afterType(updateMessage(update), MESSAGE_SYNC)
    syncProtocol.readSyncMessage(u, encoding.createEncoder(), mine, null)
    expect(mine.getText('main').toString()).toContain('theirs')

    // And we read every subtype back as written.
    expect(readSync(afterType(updateMessage(update), MESSAGE_SYNC))).toEqual({ subtype: syncProtocol.messageYjsUpdate, payload: update })
    expect(readSync(afterType(syncStep1Message(mine), MESSAGE_SYNC))).toEqual({ subtype: syncProtocol.messageYjsSyncStep1, payload: Y.encodeStateVector(mine) })
    expect(readSync(afterType(syncStep2Message(update), MESSAGE_SYNC))).toEqual({ subtype: syncProtocol.messageYjsSyncStep2, payload: update })
  })

  it('awareness frames carry the update whole; the keep-alive names no client', () => {
    const doc = new Y.Doc()
    const source = new awarenessProtocol.Awareness(doc)
    source.setLocalState({ user: { name: 'a' } })
    const update = awarenessProtocol.encodeAwarenessUpdate(source, [doc.clientID])
    expect(decoding.readVarUint8Array(afterType(awarenessMessage(update), MESSAGE_AWARENESS))).toEqual(update)

    const target = new awarenessProtocol.Awareness(new Y.Doc())
    const before = [...target.getStates().keys()]
    awarenessProtocol.applyAwarenessUpdate(target, decoding.readVarUint8Array(afterType(KEEP_ALIVE_MESSAGE, MESSAGE_AWARENESS)), null)
    expect([...target.getStates().keys()]).toEqual(before)
  })

  it('permission denied: stock clients read our frame, we read theirs, other auth subtypes are not a denial', () => {
    let stockRead: string | null = null
    authProtocol.readAuthMessage(afterType(permissionDeniedMessage('read-only access'), MESSAGE_AUTH), new Y.Doc(), (_doc, reason) => (stockRead = reason))
    expect(stockRead).toBe('read-only access')
    expect(readPermissionDenied(afterType(permissionDeniedMessage('no'), MESSAGE_AUTH))).toBe('no')
    const other = encoding.createEncoder()
    encoding.writeVarUint(other, MESSAGE_AUTH)
    encoding.writeVarUint(other, authProtocol.messagePermissionDenied + 1)
    expect(readPermissionDenied(afterType(encoding.toUint8Array(other), MESSAGE_AUTH))).toBeNull()
  })

  it('message 100: a request id goes out, the id and the stored state vector come back', () => {
    for (const id of [0, 1, 127, 128, 2 ** 31]) {
      expect(readPersistedRequest(afterType(persistedRequest(id), MESSAGE_PERSISTED))).toBe(id)
      const sv = Y.encodeStateVector(docWith('x'.repeat(id % 50), 7))
      expect(readPersistedReply(afterType(persistedMessage(id, sv), MESSAGE_PERSISTED))).toEqual({ requestId: id, stateVector: sv })
    }
  })

  it('message 101: the writer’s state vector and delete set read back; structs or a cut frame are refused', () => {
    const doc = docWith('hello world', 9)
    doc.getText('main').delete(0, 6)
    const read = readCausal(afterType(causalMessage(doc), MESSAGE_CAUSAL))
    expect(read.stateVector).toEqual(Y.encodeStateVector(doc))
    expect(Y.decodeUpdate(read.deleteSet).ds.clients.get(9)).toEqual([expect.objectContaining({ clock: 0, len: 6 })])

    const withStructs = encoding.createEncoder()
    encoding.writeVarUint(withStructs, MESSAGE_CAUSAL)
    encoding.writeVarUint8Array(withStructs, Y.encodeStateVector(doc))
    encoding.writeVarUint8Array(withStructs, Y.encodeStateAsUpdate(doc))
    expect(() => readCausal(afterType(encoding.toUint8Array(withStructs), MESSAGE_CAUSAL))).toThrow(/structs/)
    const full = causalMessage(doc)
    expect(() => readCausal(afterType(full.slice(0, full.length - 2), MESSAGE_CAUSAL))).toThrow()
  })
})
