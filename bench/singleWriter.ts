// One writer, one room, one fresh Polyphony server process (SQLite in a temp dir): the
// stream of single-character edits is prepared before the clock starts, `send` decides how it
// goes out, and the server's CPU and the wall time around it are measured.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BenchClient, now } from './BenchClient.ts'
import { startTarget } from './targets.ts'
import { FANOUT_WORKSPACE, tokenOf, writeBootstrap } from './bootstrap.ts'
import { cpuSeconds } from './procStats.ts'

export interface SingleWriterRun {
  wallMs: number
  cpuUsPerEdit: number
}

export async function singleWriterRun(edits: number, send: (client: BenchClient, messages: Uint8Array[]) => Promise<void>): Promise<SingleWriterRun> {
  const tmp = mkdtempSync(join(tmpdir(), 'polyphony-bench-writer-'))
  const target = await startTarget({ kind: 'polyphony', dataDir: join(tmp, 'data'), bootstrapFile: writeBootstrap(join(tmp, 'b.json'), 1, 0) })
  try {
    const client = new BenchClient({ url: `${target.syncBase}${FANOUT_WORKSPACE}/shared?token=${tokenOf(0)}&persisted=1`, clientId: 7, ackMode: 'persisted', applyRemote: false })
    await client.synced
    const messages = client.prepare(() => {
      for (let i = 0; i < edits; i++) client.text.insert(client.text.length, 'x')
    })
    const cpuBefore = cpuSeconds(target.pid)
    const started = now()
    await send(client, messages)
    const wallMs = now() - started
    const cpu = cpuSeconds(target.pid) - cpuBefore
    await client.close()
    return { wallMs, cpuUsPerEdit: (cpu * 1e6) / edits }
  } finally {
    await target.stop()
    rmSync(tmp, { recursive: true, force: true })
  }
}
