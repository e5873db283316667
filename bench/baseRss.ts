// The server's resident memory before its first client (manydocs' "base RSS"), started N times:
// `node dist/app/serve.js` with the bench's bootstrap (1,000 principals and rooms, as manydocs),
// VmRSS 1 s after it listens, with RssAnon (heap, malloc) and RssFile (node's binary, addons), and
// the time from spawning it until it logged "polyphony listening".
//   npx tsx bench/baseRss.ts [--runs 5] [--rooms 1000] [--entry other/dist/app/serve.js]
// --entry starts another build (A/B against an unbundled tsc output, another checkout's dist).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { writeBootstrap } from './bootstrap.ts'
import { startTarget } from './targets.ts'
import { helpIfAsked, wholeArg } from './usage.ts'

const USAGE = `
npx tsx bench/baseRss.ts [--runs N] [--rooms N] [--entry PATH]
  --runs   starts of the server, 1-20 (default 5)
  --rooms  principals and rooms in the bootstrap, 0-10000 (default 1000, as manydocs)
  --entry  serve.js to start (default: this checkout's dist/app/serve.js, rebuilt when stale)
`
helpIfAsked(USAGE)
const { values } = parseArgs({ options: { runs: { type: 'string' }, rooms: { type: 'string' }, entry: { type: 'string' } } })
const runs = wholeArg('--runs', values.runs, 5, 1, 20)
const rooms = wholeArg('--rooms', values.rooms, 1000, 0, 10_000)

/** As manydocs waits before reading the base (bench/scenarios/manydocs.ts). */
const SETTLE_MS = 1_000

const tmp = mkdtempSync(join(tmpdir(), 'polyphony-base-rss-'))
const mb = (status: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
try {
  const bootstrapFile = writeBootstrap(join(tmp, 'bootstrap.json'), Math.max(1, rooms), rooms)
  const rows: Array<{ rss: number; anon: number; file: number; startMs: number }> = []
  for (let i = 0; i < runs; i++) {
    const dataDir = join(tmp, `data-${i}`)
    const started = performance.now()
    const target = await startTarget({ kind: 'polyphony', dataDir, bootstrapFile, serveScript: values.entry && resolve(values.entry) })
    try {
      const startMs = performance.now() - started
      await sleep(SETTLE_MS)
      const status = readFileSync(`/proc/${target.pid}/status`, 'utf8')
      rows.push({ rss: mb(status, 'VmRSS'), anon: mb(status, 'RssAnon'), file: mb(status, 'RssFile'), startMs })
    } finally {
      await target.stop()
    }
  }
  const fmt = (k: 'rss' | 'anon' | 'file' | 'startMs') => median(rows.map((r) => r[k])).toFixed(k === 'startMs' ? 0 : 1)
  console.log(
    JSON.stringify({
      entry: values.entry ?? 'dist/app/serve.js',
      rooms,
      rssMB: rows.map((r) => r.rss.toFixed(1)),
      medianRssMB: fmt('rss'),
      medianAnonMB: fmt('anon'),
      medianFileMB: fmt('file'),
      medianStartMs: fmt('startMs'),
    }),
  )
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
