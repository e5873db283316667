// `npx tsx bench/stream.ts [edits,edits,...] [runs] [--raised] [--reference] [--profile DIR]`:
// one writer streams single-character edits into one room as fast as its socket takes them, then
// asks for a durable acknowledgement. By default the server runs with its default limits (the
// per-socket rate limit throttles the stream); --raised lifts the rate limit (RAISED_LIMIT_FLAGS),
// --reference runs @y/websocket-server instead, --profile writes the server's V8 CPU profile.
// Prints wall time and server CPU per edit for each stream length: per-edit CPU should not grow
// with the length of the stream ([perf]).
import { parseArgs } from 'node:util'
import { median } from './stats.ts'
import { RAISED_LIMIT_FLAGS, singleWriterRun, streamAll, type SingleWriterRun } from './singleWriter.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { raised: { type: 'boolean' }, reference: { type: 'boolean' }, profile: { type: 'string' } },
})
const lengths = (positionals[0] ?? '25000,100000').split(',').map(Number)
const runs = Number(positionals[1] ?? 1)
const opts = {
  kind: values.reference ? ('reference' as const) : ('polyphony' as const),
  serveFlags: values.raised ? RAISED_LIMIT_FLAGS : [],
  profileDir: values.profile,
}

console.log(`| edits | wall s | server CPU µs/edit |`)
console.log(`|---|---|---|`)
for (const edits of lengths) {
  const all: SingleWriterRun[] = []
  for (let r = 0; r < runs; r++) {
    all.push(await singleWriterRun(edits, streamAll, opts))
    process.stderr.write(`[bench stream] ${edits} edits run ${r + 1}: ${Math.round(all[r].wallMs)} ms, ${all[r].cpuUsPerEdit.toFixed(1)} µs/edit\n`)
  }
  console.log(`| ${edits} | ${(median(all.map((x) => x.wallMs)) / 1000).toFixed(1)} | ${median(all.map((x) => x.cpuUsPerEdit)).toFixed(1)} |`)
}
