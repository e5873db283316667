// `npx tsx bench/tracing.ts [edits] [runs]`: what tracing costs the server. The same stream of
// single-character edits from one writer into one room, acknowledged durably at the end, against
// a Polyphony server process with tracing off (no OTEL variables: the default) and on (every
// update a traced ingest span, exported over OTLP/HTTP to a local sink that discards them).
// Runs alternate off/on; prints wall time, server CPU per edit and the on/off ratio.
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { median } from './stats.ts'
import { singleWriterRun, type SingleWriterRun } from './singleWriter.ts'
import { inDetectSpan, startIngestSpan } from '../server/telemetry/ingestSpans.ts'

const edits = Number(process.argv[2] ?? 20_000)
const runs = Number(process.argv[3] ?? 3)
const BATCH = 500

async function sink(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let n = 0
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      n++
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => n, close: () => new Promise((r) => server.close(() => r())) }
}

async function once_(traced: boolean, collector: string): Promise<SingleWriterRun> {
  if (traced) {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'none'
  } else {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  }
  try {
    // Acknowledged in batches: the server is never throttled, so the figure is per-update work.
    return await singleWriterRun(edits, async (client, messages) => {
      for (let i = 0; i < messages.length; i += BATCH) {
        for (const m of messages.slice(i, i + BATCH)) client.sendRaw(m)
        await client.ack()
      }
    })
  } finally {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  }
}

/** With no tracer provider (the default), what the ingest path's tracing calls cost per update. */
function offPathNsPerUpdate(n = 200_000): number {
  let sink = 0
  const started = process.hrtime.bigint()
  for (let i = 0; i < n; i++) {
    const span = startIngestSpan({ room: 'w/shared', principal: 'p', bytes: 10, message: 'update' })
    sink += inDetectSpan(span, () => i & 1)
    span.addEvent('broadcast', { 'polyphony.peers': 1 })
    span.end()
  }
  const ns = Number(process.hrtime.bigint() - started) / n
  if (sink < 0) console.log(sink)
  return ns
}

const offNs = median([offPathNsPerUpdate(), offPathNsPerUpdate(), offPathNsPerUpdate()])
const collector = await sink()
const results: Record<'off' | 'on', SingleWriterRun[]> = { off: [], on: [] }
for (let r = 0; r < runs; r++) {
  const order: Array<'off' | 'on'> = r % 2 === 0 ? ['off', 'on'] : ['on', 'off']
  for (const mode of order) {
    const m = await once_(mode === 'on', collector.url)
    results[mode].push(m)
    process.stderr.write(`[bench tracing] run ${r + 1} ${mode}: ${Math.round(m.wallMs)} ms, ${m.cpuUsPerEdit.toFixed(1)} µs CPU/edit\n`)
  }
}
const med = (mode: 'off' | 'on', k: 'wallMs' | 'cpuUsPerEdit') => median(results[mode].map((x) => x[k]))
console.log(`tracing cost, ${edits} edits in one room, ${runs} runs each (medians):`)
console.log(`| tracing | wall ms | server CPU µs/edit |`)
console.log(`|---|---|---|`)
for (const mode of ['off', 'on'] as const) console.log(`| ${mode} | ${Math.round(med(mode, 'wallMs'))} | ${med(mode, 'cpuUsPerEdit').toFixed(1)} |`)
console.log(
  `on/off: wall ${(med('on', 'wallMs') / med('off', 'wallMs')).toFixed(2)}×, CPU ${(med('on', 'cpuUsPerEdit') / med('off', 'cpuUsPerEdit')).toFixed(2)}×; OTLP requests received: ${collector.requests()}`,
)
console.log(
  `tracing off: the ingest path's no-op tracing calls cost ${offNs.toFixed(0)} ns per update (${((offNs / 1000 / med('off', 'cpuUsPerEdit')) * 100).toFixed(2)} % of the server CPU per edit above)`,
)
await collector.close()
