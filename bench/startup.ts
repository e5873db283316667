// Start-up time of `polyphony serve`: from spawning the bin until /healthz answers, N runs each.
//   npx tsx bench/startup.ts BIN [BIN...] [--runs 5]
// e.g. this checkout's bin/polyphony.mjs (sources through tsx) against an installed package's
// node_modules/polyphony/bin/polyphony.mjs (compiled dist/). Loopback only; each run bounded to 30 s.

import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({ options: { runs: { type: 'string', default: '5' } }, allowPositionals: true })
const runs = Math.min(50, Math.max(1, Number(values.runs)))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
    s.once('error', reject)
  })
}

async function once(bin: string): Promise<number> {
  const port = await freePort()
  const data = mkdtempSync(join(tmpdir(), 'polyphony-startup-'))
  const started = performance.now()
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data', data], { stdio: 'ignore' })
  try {
    for (;;) {
      if (performance.now() - started > 30_000) throw new Error(`${bin}: no /healthz within 30 s`)
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
      if (ok) return performance.now() - started
      await new Promise((r) => setTimeout(r, 5))
    }
  } finally {
    child.kill('SIGKILL')
    rmSync(data, { recursive: true, force: true })
  }
}

for (const bin of positionals) {
  const times: number[] = []
  for (let i = 0; i < runs; i++) times.push(Math.round(await once(bin)))
  const sorted = [...times].sort((a, b) => a - b)
  console.log(JSON.stringify({ bin, runs: times, medianMs: sorted[Math.floor(sorted.length / 2)] }))
}
