// Sequential delivery latency: one writer sends an edit, waits until every reader has it, then
// the next; latency = arrival − send per reader. One server pass per edit, no queueing between
// edits, so the write path's fixed cost (fsync before or after the broadcast) shows through the
// load of a shared machine. `npx tsx bench/pingpong.ts [edits] [readers] [kind]`
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BenchClient, now } from './BenchClient.ts'
import { startTarget, type TargetKind } from './targets.ts'
import { FANOUT_WORKSPACE, tokenOf, writeBootstrap } from './bootstrap.ts'
import { cpuSeconds } from './procStats.ts'
import { helpIfAsked, wholeArg } from './usage.ts'

helpIfAsked(`usage: npx tsx bench/pingpong.ts [edits 1..100000, default 500] [readers 1..500, default 20] [polyphony|polyphony-mem|reference|hocuspocus]
One writer sends an edit, waits until every reader has it, then the next; prints delivery p50/p90/p99 and the server's CPU.`)
const KINDS = ['polyphony', 'polyphony-mem', 'reference', 'hocuspocus']

const edits = wholeArg('edits', process.argv[2], 500, 1, 100_000)
const readers = wholeArg('readers', process.argv[3], 20, 1, 500)
const kind = (process.argv[4] ?? 'polyphony') as TargetKind
if (!KINDS.includes(kind)) throw new Error(`the target must be one of ${KINDS.join(', ')} (got ${kind})`)
const tmp = mkdtempSync(join(tmpdir(), 'polyphony-pingpong-'))
const target = await startTarget({ kind, dataDir: join(tmp, 'data'), bootstrapFile: writeBootstrap(join(tmp, 'b.json'), readers + 1, 0) })
const url = (i: number) => `${target.syncBase}${FANOUT_WORKSPACE}/shared?token=${tokenOf(i)}`
let waiting = 0
let sentAt = 0
let done: () => void = () => {}
const lat: number[] = []
const writer = new BenchClient({ url: url(0), clientId: 1, dialect: target.dialect, applyRemote: false })
const rs = Array.from(
  { length: readers },
  (_, i) =>
    new BenchClient({
      url: url(i + 1),
      clientId: 100 + i,
      dialect: target.dialect,
      onRemoteUpdate: (_u, at) => {
        lat.push(at - sentAt)
        if (--waiting === 0) done()
      },
    }),
)
// Whatever happens, the clients close and the server stops: a failed run leaves nothing running.
try {
  await Promise.all([writer.synced, ...rs.map((r) => r.synced)])
  const cpu0 = cpuSeconds(target.pid)
  for (let i = 0; i < edits; i++) {
    const arrived = new Promise<void>((resolve) => (done = resolve))
    waiting = readers
    sentAt = now()
    writer.text.insert(writer.text.length, 'x')
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('edit not delivered in 10 s')), 10_000)))
    await Promise.race([arrived, late]).finally(() => clearTimeout(timer))
    await new Promise((r) => setTimeout(r, 2))
  }
  const cpu = cpuSeconds(target.pid) - cpu0
  lat.sort((a, b) => a - b)
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2)
  console.log(JSON.stringify({ kind, edits, readers, p50: q(0.5), p90: q(0.9), p99: q(0.99), cpuS: cpu.toFixed(2) }))
} finally {
  await Promise.all([writer.close(), ...rs.map((r) => r.close())])
  await target.stop()
  rmSync(tmp, { recursive: true, force: true })
}
