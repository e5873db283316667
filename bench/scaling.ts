// `npm run bench:scaling [-- --full] [-- --reps N]`: does per-edit server CPU stay flat as the
// stream and the document grow ([perf])? One writer streams single-character edits into one room
// as fast as its socket takes them (one reader receives them; 20,000 edits from another socket
// warm the server up first), then asks for an acknowledgement
// (durable on Polyphony, a sync round trip on the reference). Each row is a fresh server process;
// targets alternate order between rows. Prints two markdown tables:
//   - streams of 25k and 100k edits (200k with --full: ~90 s more at the default rate) on Polyphony
//     with its default limits (rate-limited to 2,000 messages/s after a 20,000 burst), Polyphony
//     with the rate limit raised, and @y/websocket-server, with ratios to the reference;
//   - 10,000 edits into a document that already holds 10 kB, 100 kB and 1 MB of text.
// Takes about 4 minutes (6.5 with --full) on the 2-core bench machine.
import { parseArgs } from 'node:util'
import { median } from './stats.ts'
import { RAISED_LIMIT_FLAGS, singleWriterRun, streamAll, type SingleWriterOptions, type SingleWriterRun } from './singleWriter.ts'

const { values } = parseArgs({ options: { full: { type: 'boolean' }, reps: { type: 'string' } } })
const reps = Number(values.reps ?? 1)
const LENGTHS = values.full ? [25_000, 100_000, 200_000] : [25_000, 100_000]
const DOC_SIZES = [10_000, 100_000, 1_000_000]
const DOC_EDITS = 10_000
/** Streamed on another socket before each measurement: every row measures a warm server. */
const WARMUP_EDITS = 20_000

interface Target {
  label: string
  opts: SingleWriterOptions
}
const DEFAULT: Target = { label: 'Polyphony, default limits', opts: { kind: 'polyphony' } }
const RAISED: Target = { label: 'Polyphony, rate limit raised', opts: { kind: 'polyphony', serveFlags: RAISED_LIMIT_FLAGS } }
const REFERENCE: Target = { label: '@y/websocket-server', opts: { kind: 'reference' } }

const progress = (msg: string) => process.stderr.write(`[bench scaling ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)

/** Median wall time and CPU per edit of `reps` runs of each target, targets in alternating order. */
async function measure(row: number, edits: number, targets: Target[], extra: SingleWriterOptions): Promise<Map<Target, SingleWriterRun>> {
  const runs = new Map<Target, SingleWriterRun[]>(targets.map((t) => [t, []]))
  for (let rep = 0; rep < reps; rep++) {
    const order = (row + rep) % 2 === 0 ? targets : [...targets].reverse()
    for (const t of order) {
      const r = await singleWriterRun(edits, streamAll, { ...t.opts, ...extra, readers: 1, warmupEdits: WARMUP_EDITS })
      progress(`${edits} edits${extra.prefillChars ? ` into ${extra.prefillChars} chars` : ''} on ${t.label}: ${Math.round(r.wallMs)} ms, ${r.cpuUsPerEdit.toFixed(1)} µs/edit`)
      runs.get(t)!.push(r)
    }
  }
  return new Map(targets.map((t) => [t, { wallMs: median(runs.get(t)!.map((r) => r.wallMs)), cpuUsPerEdit: median(runs.get(t)!.map((r) => r.cpuUsPerEdit)) }]))
}

const ratio = (x: number, ref: number) => `${(x / ref).toFixed(2)}×`
/** How far the values stray from their middle: (max − min) / (max + min), as ±%. */
const spread = (xs: number[]) => `±${((100 * (Math.max(...xs) - Math.min(...xs))) / (Math.max(...xs) + Math.min(...xs))).toFixed(0)} %`

const streams: Array<{ edits: number; results: Map<Target, SingleWriterRun> }> = []
for (const [row, edits] of LENGTHS.entries()) streams.push({ edits, results: await measure(row, edits, [DEFAULT, RAISED, REFERENCE], {}) })
const sizes: Array<{ chars: number; results: Map<Target, SingleWriterRun> }> = []
for (const [row, chars] of DOC_SIZES.entries()) sizes.push({ chars, results: await measure(row, DOC_EDITS, [RAISED, REFERENCE], { prefillChars: chars }) })

const lines = [
  `### Long streams (${reps} run${reps > 1 ? 's, medians' : ''}; one writer, one reader)`,
  '',
  '| edits | server | wall s | ingest edits/s | server CPU µs/edit | ingest / ref | CPU / ref |',
  '|--:|---|--:|--:|--:|--:|--:|',
]
for (const { edits, results } of streams) {
  const ref = results.get(REFERENCE)!
  for (const t of [DEFAULT, RAISED, REFERENCE]) {
    const r = results.get(t)!
    const ingest = edits / (r.wallMs / 1000)
    const refIngest = edits / (ref.wallMs / 1000)
    lines.push(
      `| ${edits} | ${t.label} | ${(r.wallMs / 1000).toFixed(1)} | ${ingest.toFixed(0)} | ${r.cpuUsPerEdit.toFixed(1)} | ${ratio(ingest, refIngest)} | ${ratio(r.cpuUsPerEdit, ref.cpuUsPerEdit)} |`,
    )
  }
}
lines.push('', '| server | CPU µs/edit across stream lengths | spread |', '|---|---|--:|')
for (const t of [DEFAULT, RAISED, REFERENCE]) {
  const xs = streams.map((s) => s.results.get(t)!.cpuUsPerEdit)
  lines.push(`| ${t.label} | ${xs.map((x) => x.toFixed(1)).join(' / ')} | ${spread(xs)} |`)
}
lines.push(
  '',
  `### Document size (${DOC_EDITS} edits streamed into a document of that much text; rate limit raised)`,
  '',
  '| text before | Polyphony CPU µs/edit | reference CPU µs/edit | CPU / ref |',
  '|--:|--:|--:|--:|',
)
for (const { chars, results } of sizes) {
  const p = results.get(RAISED)!.cpuUsPerEdit
  const ref = results.get(REFERENCE)!.cpuUsPerEdit
  lines.push(`| ${chars >= 1e6 ? `${chars / 1e6} MB` : `${chars / 1e3} kB`} | ${p.toFixed(1)} | ${ref.toFixed(1)} | ${ratio(p, ref)} |`)
}
const xs = sizes.map((s) => s.results.get(RAISED)!.cpuUsPerEdit)
lines.push('', `Polyphony's spread across document sizes: ${spread(xs)}.`)
console.log(lines.join('\n'))
