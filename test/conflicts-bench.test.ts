// CPU cost of the detector per integrated update versus plain Y.applyUpdate (printed, not asserted).
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { ConflictDetector } from '../server/conflicts/index.ts'

const N = 10_000

/** Two online peers; each update is forwarded to the other, as the server would. */
function makeUpdates(): Array<{ u: Uint8Array; principal: string; session: string }> {
  const a = new Y.Doc()
  a.clientID = 1
  const b = new Y.Doc()
  b.clientID = 2
  const out: Array<{ u: Uint8Array; principal: string; session: string }> = []
  a.on('update', (u: Uint8Array, o: unknown) => {
    if (o !== 'peer') {
      out.push({ u, principal: 'alice', session: 'a' })
      Y.applyUpdate(b, u, 'peer')
    }
  })
  b.on('update', (u: Uint8Array, o: unknown) => {
    if (o !== 'peer') {
      out.push({ u, principal: 'bob', session: 'b' })
      Y.applyUpdate(a, u, 'peer')
    }
  })
  a.getMap('docs').set('notes', new Y.Text('start'))
  for (let i = 0; out.length < N; i++) {
    const d = i % 2 === 0 ? a : b
    const t = d.getMap('docs').get('notes') as Y.Text
    if (i % 10 === 9) t.delete(Math.floor(t.length / 2), 1)
    else if (i % 25 === 0) d.getMap('tasks').set(`t${i % 7}`, `v${i}`)
    else t.insert(Math.floor((t.length * (i % 13)) / 13), 'x')
  }
  return out.slice(0, N)
}

it(`detector cost per update over ${N} small updates`, () => {
  const updates = makeUpdates()
  const plain = new Y.Doc({ gc: false })
  let t0 = performance.now()
  for (const { u } of updates) Y.applyUpdate(plain, u)
  const plainMs = performance.now() - t0
  const doc = new Y.Doc({ gc: false })
  const detector = new ConflictDetector(doc, { docName: 'bench/shared' })
  let conflicts = 0
  t0 = performance.now()
  for (const { u, principal, session } of updates) {
    conflicts += detector.integrate(u, { principal, session }).length
    // As the server does: deliver to the peer, probe, and the peer's answer acknowledges it.
    const [peer, who] = session === 'a' ? ['b', 'bob'] : ['a', 'alice']
    detector.delivered(peer, who)
    detector.probed(peer)
    detector.acknowledged(peer, who)
  }
  const detMs = performance.now() - t0
  console.log(
    `[conflicts bench] ${N} updates: plain applyUpdate ${((plainMs * 1000) / N).toFixed(1)} µs/update, with detector ${((detMs * 1000) / N).toFixed(1)} µs/update (x${(detMs / plainMs).toFixed(1)}), ${conflicts} conflicts`,
  )
  expect(doc.getMap('docs').get('notes')?.toString()).toBe(plain.getMap('docs').get('notes')?.toString())
  expect(conflicts).toBe(0) // peers saw each other's every write: all sequential
})
