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

/**
 * `polyphony serve` flags that lift the per-socket rate limit out of the way of one fast writer
 * (the default lets 20,000 messages through at once, then 2,000/s).
 */
export const RAISED_LIMIT_FLAGS = ['--message-burst', '10000000', '--messages-per-second', '10000000']

/** All edits sent as fast as the socket takes them, then one durable acknowledgement. */
export async function streamAll(client: BenchClient, messages: Uint8Array[]): Promise<void> {
  for (const m of messages) client.sendRaw(m)
  await client.ack()
}

export interface SingleWriterOptions {
  /** More `polyphony serve` flags, e.g. a raised rate limit. */
  serveFlags?: string[]
  /** Write a V8 CPU profile of the server into this directory. */
  profileDir?: string
  /** The server under test (default polyphony, durable). */
  kind?: 'polyphony' | 'reference'
}

export async function singleWriterRun(
  edits: number,
  send: (client: BenchClient, messages: Uint8Array[]) => Promise<void>,
  opts: SingleWriterOptions = {},
): Promise<SingleWriterRun> {
  const tmp = mkdtempSync(join(tmpdir(), 'polyphony-bench-writer-'))
  const { kind = 'polyphony', serveFlags, profileDir } = opts
  const target = await startTarget({ kind, dataDir: join(tmp, 'data'), bootstrapFile: writeBootstrap(join(tmp, 'b.json'), 1, 0), serveFlags, profileDir })
  try {
    const client = new BenchClient({
      url: `${target.syncBase}${FANOUT_WORKSPACE}/shared?token=${tokenOf(0)}&persisted=1`,
      clientId: 7,
      ackMode: target.ackMode,
      applyRemote: false,
    })
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
