// `npx tsx bench/stream.ts [edits,edits,...] [runs]`: one writer streams single-character edits
// into one room as fast as its socket takes them, then asks for a durable acknowledgement; the
// server runs with its default limits (the per-socket rate limit throttles the stream). Prints
// wall time and server CPU per edit for each stream length: per-edit CPU should not grow with
// the length of the stream ([perf]).
import { median } from './stats.ts'
import { singleWriterRun, type SingleWriterRun } from './singleWriter.ts'

const lengths = (process.argv[2] ?? '25000,100000').split(',').map(Number)
const runs = Number(process.argv[3] ?? 1)

/** All edits sent as fast as the socket takes them, then one durable acknowledgement. */
function stream(edits: number): Promise<SingleWriterRun> {
  return singleWriterRun(edits, async (client, messages) => {
    for (const m of messages) client.sendRaw(m)
    await client.ack()
  })
}

console.log(`| edits | wall s | server CPU µs/edit |`)
console.log(`|---|---|---|`)
for (const edits of lengths) {
  const all: SingleWriterRun[] = []
  for (let r = 0; r < runs; r++) {
    all.push(await stream(edits))
    process.stderr.write(`[bench stream] ${edits} edits run ${r + 1}: ${Math.round(all[r].wallMs)} ms, ${all[r].cpuUsPerEdit.toFixed(1)} µs/edit\n`)
  }
  console.log(`| ${edits} | ${(median(all.map((x) => x.wallMs)) / 1000).toFixed(1)} | ${median(all.map((x) => x.cpuUsPerEdit)).toFixed(1)} |`)
}
