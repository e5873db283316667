// One writer (and optional readers), one room, one fresh server process (Polyphony with SQLite
// in a temp dir, or the reference): the stream of single-character edits is prepared before the
// clock starts, `send` decides how it goes out, and the server's CPU and the wall time around it
// are measured.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BenchClient, now } from './BenchClient.ts'
import { startTarget } from './targets.ts'
import { FANOUT_WORKSPACE, tokenOf, writeBootstrap } from './bootstrap.ts'
import { cpuSeconds, mainThreadMs } from './procStats.ts'

export interface SingleWriterRun {
  wallMs: number
  cpuUsPerEdit: number
  /** The server's main thread over the run, ms (see mainThreadMs); absent in medians. */
  mainThread?: { onCpu: number; waitingForCpu: number; asleep: number }
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
  kind?: 'polyphony' | 'polyphony-mem' | 'reference'
  /** Characters of text in the document before the stream (one insert, acknowledged before the clock starts). */
  prefillChars?: number
  /** Clients on the same room that receive the stream (they count it, do not apply it). */
  readers?: number
  /**
   * Edits streamed and acknowledged before the clock starts, so the server's code is compiled
   * (V8 optimises the hot path over the first few thousand edits) and every row measures the same
   * warm server whatever its length.
   */
  warmupEdits?: number
}

export async function singleWriterRun(
  edits: number,
  send: (client: BenchClient, messages: Uint8Array[]) => Promise<void>,
  opts: SingleWriterOptions = {},
): Promise<SingleWriterRun> {
  const tmp = mkdtempSync(join(tmpdir(), 'polyphony-bench-writer-'))
  const { kind = 'polyphony', serveFlags, profileDir, prefillChars = 0, readers = 0, warmupEdits = 0 } = opts
  const target = await startTarget({ kind, dataDir: join(tmp, 'data'), bootstrapFile: writeBootstrap(join(tmp, 'b.json'), 1, 0), serveFlags, profileDir })
  const open: BenchClient[] = []
  try {
    const url = `${target.syncBase}${FANOUT_WORKSPACE}/shared?token=${tokenOf(0)}&persisted=1`
    const client = new BenchClient({ url, clientId: 7, dialect: target.dialect, applyRemote: false })
    open.push(client)
    await client.synced
    if (warmupEdits > 0) {
      // Its own socket: the writer's rate bucket starts full.
      const warm = new BenchClient({ url, clientId: 50, dialect: target.dialect, applyRemote: false })
      open.push(warm)
      await warm.synced
      const edits = warm.prepare(() => {
        for (let i = 0; i < warmupEdits; i++) warm.text.insert(warm.text.length, 'w')
      })
      await streamAll(warm, edits)
      await warm.close()
    }
    if (prefillChars > 0)
      await streamAll(
        client,
        client.prepare(() => client.text.insert(client.text.length, 'p'.repeat(prefillChars))),
      )
    for (let i = 0; i < readers; i++) {
      const reader = new BenchClient({ url, clientId: 100 + i, dialect: target.dialect, applyRemote: false })
      open.push(reader)
      await reader.synced
    }
    const messages = client.prepare(() => {
      for (let i = 0; i < edits; i++) client.text.insert(client.text.length, 'x')
    })
    const cpuBefore = cpuSeconds(target.pid)
    const mainBefore = mainThreadMs(target.pid)
    const started = now()
    await send(client, messages)
    const wallMs = now() - started
    const cpu = cpuSeconds(target.pid) - cpuBefore
    const mainAfter = mainThreadMs(target.pid)
    const onCpu = mainAfter.onCpu - mainBefore.onCpu
    const waitingForCpu = mainAfter.waitingForCpu - mainBefore.waitingForCpu
    return { wallMs, cpuUsPerEdit: (cpu * 1e6) / edits, mainThread: { onCpu, waitingForCpu, asleep: Math.max(0, wallMs - onCpu - waitingForCpu) } }
  } finally {
    await Promise.all(open.map((c) => c.close()))
    await target.stop()
    rmSync(tmp, { recursive: true, force: true })
  }
}
