// mergeChunk (server/core/broadcastChunks.ts) merges a batch's changes as a tree instead of in
// one Y.mergeUpdates call (the cost is measured by bench/stream.ts, not here): the one update
// it makes must bring a reader to the same document as the changes applied one by one.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { mergeChunk } from '../server/core/broadcastChunks.ts'
import { editedContent, randomEdit } from './fixtures/randomEdit.ts'

const envSeed = Number(process.env.POLYPHONY_SEED)
const SEED = Number.isInteger(envSeed) && process.env.POLYPHONY_SEED ? envSeed : Date.now() % 2 ** 31

function state(doc: Y.Doc) {
  return { content: editedContent(doc), sv: Y.encodeStateVector(doc), ds: Y.createDeleteSetFromStructStore(doc.store) }
}

describe('mergeChunk', () => {
  for (const n of [1, 2, 16, 17, 256, 1000]) {
    it(`merges ${n} changes from several writers into one equivalent update (seed ${SEED})`, () => {
      console.log(`broadcastChunks seed ${SEED} (POLYPHONY_SEED=${SEED})`)
      const gen = prng.create(SEED + n)
      const server = new Y.Doc()
      const changes: Uint8Array[] = []
      server.on('update', (u: Uint8Array) => changes.push(u))
      const writers = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
      while (changes.length < n) {
        const w = writers[prng.int32(gen, 0, writers.length - 1)]
        Y.applyUpdate(w, Y.encodeStateAsUpdate(server, Y.encodeStateVector(w)))
        const before = Y.encodeStateVector(w)
        if (prng.bool(gen)) w.getText('main').insert(w.getText('main').length, 'x')
        else randomEdit(gen, w)
        Y.applyUpdate(server, Y.encodeStateAsUpdate(w, before))
      }
      const oneByOne = new Y.Doc()
      for (const u of changes) Y.applyUpdate(oneByOne, u)
      const merged = new Y.Doc()
      Y.applyUpdate(merged, mergeChunk(changes))
      expect(state(merged)).toEqual(state(oneByOne))
      expect(state(merged)).toEqual(state(server))
    })
  }
})
