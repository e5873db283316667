// How the conflict detector's memory grows with the number of distinct writers (fresh Yjs
// client ids, as 2,000 short-lived sockets each making one edit produce). Run:
//   node --expose-gc --import tsx bench/detectorMemory.ts [writers=2000]
// Prints retained heap after each quarter; flat per writer means linear, growing means worse.
import * as Y from 'yjs'
import { ConflictDetector } from '../server/conflicts/index.ts'

const writers = Number(process.argv[2] ?? 2000)
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')

const doc = new Y.Doc({ gc: false })
const detector = new ConflictDetector(doc, { docName: 'bench/shared' })
{
  const seed = new Y.Doc()
  const text = new Y.Text()
  seed.getMap('docs').set('draft', text)
  text.insert(0, 'A paragraph that many short-lived writers edit once each. '.repeat(4))
  detector.integrate(Y.encodeStateAsUpdate(seed), { principal: 'seed', session: 'seed', message: 'update' })
}
const heap = () => {
  gc()
  return process.memoryUsage().heapUsed / 2 ** 20
}
const base = heap()
const started = performance.now()
let last = base
for (let i = 1; i <= writers; i++) {
  const session = `s${i}`
  const principal = `p${i % 4}`
  // The server sent the session everything, probed it, and it answered (as the core does).
  detector.delivered(session, principal)
  detector.probed(session)
  detector.acknowledged(session, principal)
  const client = new Y.Doc()
  Y.applyUpdate(client, Y.encodeStateAsUpdate(doc))
  const before = Y.encodeStateVector(client)
  const text = client.getMap('docs').get('draft') as Y.Text
  if (i % 3 === 0) client.getMap('meta').set(`k${i % 50}`, i)
  else text.insert((i * 7919) % text.length, 'x')
  detector.integrate(Y.encodeStateAsUpdate(client, before), { principal, session, message: 'update' })
  detector.closeSession(session)
  client.destroy()
  if (i % (writers / 4) === 0) {
    const now = heap()
    console.log(
      `${i} writers: heap +${(now - base).toFixed(1)} MiB (${(((now - last) * 2 ** 20) / (writers / 4) / 1024).toFixed(2)} KiB per writer in this quarter), ${((performance.now() - started) / i).toFixed(2)} ms per writer`,
    )
    last = now
  }
}
