// `npx tsx bench/stream.ts [edits,edits,...] [runs]`: one writer streams single-character edits
// into one room as fast as its socket takes them, then asks for a durable acknowledgement; the
// server runs with its default limits (the per-socket rate limit throttles the stream). Prints
// wall time and server CPU per edit for each stream length: per-edit CPU should not grow with
// the length of the stream ([perf]).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BenchClient, now } from './BenchClient.ts'
import { startTarget } from './targets.ts'
import { FANOUT_WORKSPACE, tokenOf, writeBootstrap } from './bootstrap.ts'
import { cpuSeconds } from './procStats.ts'
import { median } from './stats.ts'

const lengths = (process.argv[2] ?? '25000,100000').split(',').map(Number)
const runs = Number(process.argv[3] ?? 1)

async function stream(edits: number): Promise<{ wallMs: number; cpuUsPerEdit: number }> {
  const tmp = mkdtempSync(join(tmpdir(), 'polyphony-bench-stream-'))
  const target = await startTarget({ kind: 'polyphony', dataDir: join(tmp, 'data'), bootstrapFile: writeBootstrap(join(tmp, 'b.json'), 1, 0) })
  try {
    const client = new BenchClient({ url: `${target.syncBase}${FANOUT_WORKSPACE}/shared?token=${tokenOf(0)}&persisted=1`, clientId: 7, ackMode: 'persisted', applyRemote: false })
    await client.synced
    const messages = client.prepare(() => {
      for (let i = 0; i < edits; i++) client.text.insert(client.text.length, 'x')
    })
    const cpuBefore = cpuSeconds(target.pid)
    const started = now()
    for (const m of messages) client.sendRaw(m)
    await client.ack()
    const wallMs = now() - started
    const cpu = cpuSeconds(target.pid) - cpuBefore
    await client.close()
    return { wallMs, cpuUsPerEdit: (cpu * 1e6) / edits }
  } finally {
    await target.stop()
    rmSync(tmp, { recursive: true, force: true })
  }
}

console.log(`| edits | wall s | server CPU µs/edit |`)
console.log(`|---|---|---|`)
for (const edits of lengths) {
  const all: Array<{ wallMs: number; cpuUsPerEdit: number }> = []
  for (let r = 0; r < runs; r++) {
    all.push(await stream(edits))
    process.stderr.write(`[bench stream] ${edits} edits run ${r + 1}: ${Math.round(all[r].wallMs)} ms, ${all[r].cpuUsPerEdit.toFixed(1)} µs/edit\n`)
  }
  console.log(`| ${edits} | ${(median(all.map((x) => x.wallMs)) / 1000).toFixed(1)} | ${median(all.map((x) => x.cpuUsPerEdit)).toFixed(1)} |`)
}
