// encodeTransactionUpdate (server/core/transactionUpdate.ts) encodes what a transaction changed
// before Yjs merges structs; what it encodes must do exactly what Yjs's own 'update' event does.
// Seeded: writers edit (streams of appends that Yjs merges into one item, random edits, several
// edits per transaction) and their updates reach the "server" document late, twice or out of
// order (pending structs integrate later); a replica fed Yjs's updates and one fed ours must
// agree after every step. The seed is printed; re-run one with POLYPHONY_SEED=<seed>.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { encodeTransactionUpdate, transactionChanged } from '../server/core/transactionUpdate.ts'
import { editedContent, randomEdit } from './fixtures/randomEdit.ts'

const envSeed = Number(process.env.POLYPHONY_SEED)
const SEEDS = Number.isInteger(envSeed) && process.env.POLYPHONY_SEED ? [envSeed] : [Date.now() % 2 ** 31, (Date.now() * 7919) % 2 ** 31]
const WRITERS = 4
const STEPS = 400

function state(doc: Y.Doc) {
  return { content: editedContent(doc), sv: [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort((a, b) => a[0] - b[0]), ds: Y.createDeleteSetFromStructStore(doc.store) }
}

function shuffle<T>(gen: prng.PRNG, xs: T[]): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = prng.int32(gen, 0, i)
    ;[xs[i], xs[j]] = [xs[j], xs[i]]
  }
}

describe('encodeTransactionUpdate', () => {
  for (const gc of [true, false]) {
    for (const seed of SEEDS) {
      it(`does what the Yjs update event does (gc ${gc}, seed ${seed})`, () => {
        console.log(`transactionUpdate seed ${seed} (POLYPHONY_SEED=${seed})`)
        const gen = prng.create(seed)
        const server = new Y.Doc({ gc })
        const fromYjs = new Y.Doc({ gc })
        const fromOurs = new Y.Doc({ gc })
        let yjsUpdates = 0
        let ours = 0
        server.on('update', (u: Uint8Array) => {
          yjsUpdates++
          Y.applyUpdate(fromYjs, u)
        })
        server.on('afterTransaction', (tr: Y.Transaction) => {
          const u = encodeTransactionUpdate(tr)
          expect(u !== null).toBe(transactionChanged(tr))
          if (u === null) return
          ours++
          Y.applyUpdate(fromOurs, u)
        })
        const writers = Array.from({ length: WRITERS }, () => new Y.Doc())
        const late: Uint8Array[] = []
        for (const w of writers) w.on('update', (u: Uint8Array) => late.push(u))
        for (let step = 0; step < STEPS; step++) {
          const w = writers[prng.int32(gen, 0, WRITERS - 1)]
          const roll = prng.int32(gen, 0, 99)
          if (roll < 40) {
            // A stream of appends: Yjs merges them into one item on the server.
            const text = w.getText('main')
            for (let i = prng.int32(gen, 1, 20); i > 0; i--) text.insert(text.length, prng.word(gen, 1, 2))
          } else if (roll < 60) {
            w.transact(() => {
              for (let i = prng.int32(gen, 2, 5); i > 0; i--) randomEdit(gen, w)
            })
          } else {
            randomEdit(gen, w)
          }
          // Deliver what is waiting: mostly in order, sometimes shuffled, duplicated or held back.
          const deliver = prng.int32(gen, 0, 99) < 70 ? late.splice(0) : late.splice(0, prng.int32(gen, 0, late.length))
          if (prng.bool(gen)) shuffle(gen, deliver)
          for (const u of deliver) {
            Y.applyUpdate(server, u)
            if (prng.int32(gen, 0, 9) === 0) Y.applyUpdate(server, u)
          }
          // Writers sometimes sync with the server, so their edits build on each other's.
          if (prng.int32(gen, 0, 9) === 0) Y.applyUpdate(w, Y.encodeStateAsUpdate(server, Y.encodeStateVector(w)))
          expect(state(fromOurs)).toEqual(state(fromYjs))
        }
        for (const u of late.splice(0)) Y.applyUpdate(server, u)
        expect(state(fromOurs)).toEqual(state(server))
        expect(state(fromYjs)).toEqual(state(server))
        expect(ours).toBe(yjsUpdates)
      })
    }
  }
})
