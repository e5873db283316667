// Server CPU per fanout edit, independent of how loaded the machine is. `npm run bench -- --only
// fanout` paces its writers by the clock: on a busy machine its clients answer late, the server
// probes them less often (one probe outstanding per connection) and batches more, so its CPU
// figure moves with the load. Here one edit at a time goes out and the next waits until every
// client has it: every edit is one batch, every writable client is probed and answers once per
// edit, whatever the load. One process holds all clients (raw y-protocols, answering every sync
// step 1 as y-websocket does). Run:
//   npx tsx bench/fanoutClosedLoop.ts [--edits 1000] [--clients 50] [--reps 3] [--targets polyphony-mem,polyphony,reference] [--paired] [--profile DIR]
// --profile writes each Polyphony server's V8 CPU profile under DIR (summarise with bench/profile.ts).
// A target may name another checkout, `<dir>:<kind>` (its dist/ is used): an A/B in one run.
// --paired runs two targets at the same time each rep, so a shared machine's load hits both alike.
// `reference-answers` is the reference with the traffic of Polyphony's probe answers: every client
// sends, after each update it integrates, the sync step 2 it would send answering a probe (its
// delete set), which the reference reads and applies as a no-op. It prices reading ~50 answers per
// edit on a server that does nothing else with them.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { helpIfAsked } from './usage.ts'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import { FANOUT_WORKSPACE, roomUrl, writeBootstrap } from './bootstrap.ts'
import { cpuSeconds } from './procStats.ts'
import { ROOT, type RunningTarget, type TargetOptions } from './targets.ts'
import { median } from './stats.ts'

const WRITERS = 10
const ROOM = `${FANOUT_WORKSPACE}/shared`
const BOUND_MS = 30_000

interface Client {
  ws: WebSocket
  doc: Y.Doc
}

function syncFrame(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  write(e)
  return encoding.toUint8Array(e)
}

/**
 * A client that syncs, applies what it receives and answers every sync step 1, as y-websocket does.
 * With `answerEveryUpdate`, it also sends after each integrated update what it would answer a probe.
 */
function connect(url: string, clientId: number, answerEveryUpdate = false): Promise<Client> {
  return new Promise((resolveClient, reject) => {
    const doc = new Y.Doc()
    doc.clientID = clientId
    const ws = new WebSocket(url)
    ws.binaryType = 'nodebuffer'
    const timer = setTimeout(() => reject(new Error(`client ${clientId} did not sync within ${BOUND_MS} ms`)), BOUND_MS)
    ws.on('message', (data: Buffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(data))
      if (decoding.readVarUint(decoder) !== 0) return
      const reply = encoding.createEncoder()
      encoding.writeVarUint(reply, 0)
      const type = syncProtocol.readSyncMessage(decoder, reply, doc, 'remote')
      if (encoding.length(reply) > 1) ws.send(encoding.toUint8Array(reply))
      if (answerEveryUpdate && type === syncProtocol.messageYjsUpdate) {
        ws.send(syncFrame((e) => syncProtocol.writeSyncStep2(e, doc, Y.encodeStateVector(doc))))
      }
      if (type === syncProtocol.messageYjsSyncStep2) {
        clearTimeout(timer)
        resolveClient({ ws, doc })
      }
    })
    ws.on('open', () => ws.send(syncFrame((e) => syncProtocol.writeSyncStep1(e, doc))))
    ws.on('error', reject)
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== 'remote') ws.send(syncFrame((e) => syncProtocol.writeUpdate(e, update)))
    })
  })
}

/** Resolves once every client holds `writer`'s edits up to `clock`. */
function everyoneHas(clients: Client[], writer: number, clock: number): Promise<void> {
  const deadline = Date.now() + BOUND_MS
  return new Promise((resolveAll, reject) => {
    const check = (): void => {
      if (clients.every((c) => Y.getState(c.doc.store, writer) >= clock)) return resolveAll()
      if (Date.now() > deadline) return reject(new Error(`an edit did not reach every client within ${BOUND_MS} ms`))
      setImmediate(check)
    }
    check()
  })
}

/** Server CPU seconds for `edits` edits, one at a time, each awaited at every client. */
async function run(target: RunningTarget, clients: number, edits: number, answerEveryUpdate: boolean): Promise<number> {
  const all = await Promise.all(
    Array.from({ length: clients }, (_, i) =>
      connect(target.dialect === 'y-websocket' ? `${target.syncBase}${ROOM}` : roomUrl(target.syncBase, ROOM, i), i + 1, answerEveryUpdate),
    ),
  )
  try {
    const before = cpuSeconds(target.pid)
    for (let k = 0; k < edits; k++) {
      const writer = all[k % Math.min(WRITERS, clients)]
      writer.doc.getText('t').insert(0, 'x')
      await everyoneHas(all, writer.doc.clientID, Y.getState(writer.doc.store, writer.doc.clientID))
    }
    return cpuSeconds(target.pid) - before
  } finally {
    for (const c of all) c.ws.close()
  }
}

async function main(): Promise<void> {
  helpIfAsked(
    'usage: npx tsx bench/fanoutClosedLoop.ts [--edits 1000] [--clients 50] [--reps 3] [--targets polyphony-mem,polyphony,reference,reference-answers] [--paired] [--profile DIR]\n' +
      "Server CPU per fanout edit, one edit at a time (every client probed once per edit). A target may be <dir>:<kind> to use another checkout's dist/.\n" +
      "--paired: exactly two targets, run at the same time each rep (what else loads the machine hits both alike); prints each pair's CPU ratio second / first.",
  )
  const { values } = parseArgs({
    options: {
      edits: { type: 'string', default: '1000' },
      clients: { type: 'string', default: '50' },
      reps: { type: 'string', default: '3' },
      targets: { type: 'string', default: 'polyphony-mem,polyphony,reference' },
      profile: { type: 'string' },
      paired: { type: 'boolean', default: false },
    },
  })
  const edits = Number(values.edits)
  const clients = Number(values.clients)
  const reps = Number(values.reps)
  const bounded = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max
  if (!bounded(edits, 100_000) || !bounded(clients, 500) || !bounded(reps, 20)) {
    throw new Error('--edits 1..100000, --clients 1..500 and --reps 1..20 (whole numbers)')
  }
  const targets = values.targets.split(',').map((spec) => {
    const at = spec.lastIndexOf(':')
    const named = at > 0 ? spec.slice(at + 1) : spec
    const kind = named as TargetOptions['kind']
    // The raw clients here speak y-websocket's framing, not Hocuspocus's.
    if (!['polyphony', 'polyphony-mem', 'reference', 'reference-answers'].includes(kind)) {
      throw new Error(`unknown target "${spec}": use polyphony, polyphony-mem, reference or reference-answers (optionally <dir>:<kind>)`)
    }
    return { spec, dir: at > 0 ? resolve(spec.slice(0, at)) : ROOT, kind }
  })
  if (values.paired && targets.length !== 2) throw new Error('--paired compares exactly two targets: --targets <a>,<b>')
  const tmp = mkdtempSync(join(tmpdir(), 'polyphony-closed-loop-'))
  const bootstrapFile = writeBootstrap(join(tmp, 'bootstrap.json'), clients, 0)
  const cpu = new Map<string, number[]>()
  const ratios: number[] = []
  type Target = (typeof targets)[number]
  /** Starts `t`, runs the loop on it and stops it; its server CPU seconds. */
  const measure = async (t: Target, rep: number): Promise<number> => {
    const { startTarget } = (await import(join(t.dir, 'bench', 'targets.ts'))) as { startTarget: (o: TargetOptions) => Promise<RunningTarget> }
    const dataDir = mkdtempSync(join(tmp, 'data-'))
    const profileDir = values.profile && t.kind.startsWith('polyphony') ? join(resolve(values.profile), `${t.spec.replace(/[/:]/g, '_')}-${rep + 1}`) : undefined
    const target = await startTarget({ kind: t.kind, dataDir, bootstrapFile, profileDir })
    try {
      const s = await run(target, clients, edits, target.answersUpdates)
      cpu.set(t.spec, [...(cpu.get(t.spec) ?? []), s])
      console.error(`${t.spec} run ${rep + 1}: ${s.toFixed(2)} s, ${((s / edits) * 1e6).toFixed(0)} µs per edit`)
      return s
    } finally {
      await target.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  try {
    for (let rep = 0; rep < reps; rep++) {
      if (values.paired) {
        const [a, b] = await Promise.all(targets.map((t) => measure(t, rep)))
        ratios.push(b / a)
        continue
      }
      for (const t of rep % 2 === 0 ? targets : [...targets].reverse()) await measure(t, rep)
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  console.log(`| target (${clients} clients, ${edits} edits, median of ${reps}) | server CPU (s) | µs per edit | runs |`)
  console.log('|---|--:|--:|---|')
  for (const [spec, runs] of cpu)
    console.log(`| ${spec} | ${median(runs).toFixed(2)} | ${((median(runs) / edits) * 1e6).toFixed(0)} | ${runs.map((r) => r.toFixed(2)).join(', ')} |`)
  if (values.paired) {
    console.log(
      `\nserver CPU ${targets[1].spec} / ${targets[0].spec}, per pair run at the same time: ${ratios.map((r) => r.toFixed(3)).join(', ')}; median ${median(ratios).toFixed(3)}`,
    )
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
