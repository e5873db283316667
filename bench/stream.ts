// `npx tsx bench/stream.ts [edits,edits,...] [runs] [--raised] [--reference] [--readers N] [--warmup N] [--profile DIR]`:
// one writer streams single-character edits into one room as fast as its socket takes them, then
// asks for a durable acknowledgement. By default the server runs with its default limits (the
// per-socket rate limit throttles the stream); --raised lifts the rate limit (RAISED_LIMIT_FLAGS),
// --reference runs @y/websocket-server instead, --profile writes the server's V8 CPU profile.
// --readers N clients receive the stream, --warmup N edits from another socket warm the server up
// first (bench:scaling's rows use 1 and 20000). Prints wall time and server CPU per edit for each
// stream length: per-edit CPU should not grow with the length of the stream ([perf]); and, per
// run, the server main thread's time on CPU, runnable but waiting for a CPU (the machine's other
// load), and asleep (idle or blocked in fsync).
import { parseArgs } from 'node:util'
import { median } from './stats.ts'
import { RAISED_LIMIT_FLAGS, singleWriterRun, streamAll, type SingleWriterRun } from './singleWriter.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { raised: { type: 'boolean' }, reference: { type: 'boolean' }, profile: { type: 'string' }, readers: { type: 'string' }, warmup: { type: 'string' } },
})
const lengths = (positionals[0] ?? '25000,100000').split(',').map(Number)
const runs = Number(positionals[1] ?? 1)
const opts = {
  kind: values.reference ? ('reference' as const) : ('polyphony' as const),
  serveFlags: values.raised ? RAISED_LIMIT_FLAGS : [],
  profileDir: values.profile,
  readers: Number(values.readers ?? 0),
  warmupEdits: Number(values.warmup ?? 0),
}

console.log(`| edits | wall s | server CPU µs/edit |`)
console.log(`|---|---|---|`)
for (const edits of lengths) {
  const all: SingleWriterRun[] = []
  for (let r = 0; r < runs; r++) {
    all.push(await singleWriterRun(edits, streamAll, opts))
    const main = all[r].mainThread
    const split = main ? `; main thread on CPU ${Math.round(main.onCpu)} ms, waiting for a CPU ${Math.round(main.waitingForCpu)} ms, asleep ${Math.round(main.asleep)} ms` : ''
    process.stderr.write(`[bench stream] ${edits} edits run ${r + 1}: ${Math.round(all[r].wallMs)} ms, ${all[r].cpuUsPerEdit.toFixed(1)} µs/edit${split}\n`)
  }
  console.log(`| ${edits} | ${(median(all.map((x) => x.wallMs)) / 1000).toFixed(1)} | ${median(all.map((x) => x.cpuUsPerEdit)).toFixed(1)} |`)
}
