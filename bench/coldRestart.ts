// `npx tsx bench/coldRestart.ts [restarts]`: what the first client after a restart costs the
// server, measured as the server main thread's CPU time (/proc/<pid>/task/<pid>/schedstat, in
// ns) rather than latency, which moves by ±50 % on the shared 2-core machine. 10 writers ingest
// 10 × 10,000 single-character edits (coldsync's document), 5 fresh clients sync (warm); then
// `restarts` times (default 6): a graceful restart, the first client's sync, a second client's
// sync. Prints medians: main-thread CPU per sync (warm, first after restart, second), the
// latency of each (for reference), the main thread's CPU until the server listens, and its RSS
// 1 s after start. Every wait is bounded by the clients' and the server's own timeouts.
// `--profile`: each restarted server writes a CPU profile (sampled every 100 µs); the samples
// taken while the first and the second client synced are summarised, mean per restart.
// `--builds A,B`: compiled servers (copies of dist/ made at two commits) take turns restart after
// restart on the same data, one row each: an A/B whose two sides see the same machine load.
import { existsSync, readFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BenchClient, now } from './BenchClient.ts'
import { startTarget, type RunningTarget } from './targets.ts'
import { FANOUT_WORKSPACE, tokenOf, writeBootstrap } from './bootstrap.ts'
import { RAISED_LIMIT_FLAGS, streamAll } from './singleWriter.ts'
import { memory } from './procStats.ts'
import { median } from './stats.ts'
import { helpIfAsked } from './usage.ts'
import { meanSummary, profileMarkdown, profileWindow, summarizeProfile, type CpuProfile } from './profile.ts'

const USAGE = 'usage: npx tsx bench/coldRestart.ts [restarts 1..50, default 6] [--profile] [--builds DIR,DIR]'
helpIfAsked(
  `${USAGE}\nIngests the coldsync document, restarts the server gracefully N times and prints the main-thread CPU of the first and later syncs.\n--profile: CPU profiles of the restarted servers, summarised over the first and the second sync.\n--builds: compiled servers (directories holding app/serve.js, e.g. a copy of dist/ made at another commit) taking turns, restart after restart, on the same data; one row each (an A/B on a busy machine).`,
)
const args = process.argv.slice(2)
const profile = args.includes('--profile')
const buildsAt = args.indexOf('--builds')
const builds = buildsAt >= 0 ? (args[buildsAt + 1] ?? '').split(',').filter((b) => b.length > 0) : []
const positional = args.filter((a, i) => a !== '--profile' && i !== buildsAt && i !== buildsAt + 1)
const restarts = Number(positional[0] ?? 6)
if (!Number.isInteger(restarts) || restarts < 1 || restarts > 50 || positional.length > 1 || (buildsAt >= 0 && builds.length === 0)) throw new Error(USAGE)
const serveScripts = builds.map((b) => resolve(b, 'app', 'serve.js'))
for (const script of serveScripts) if (!existsSync(script)) throw new Error(`--builds: ${script} does not exist (copy dist/ after npm run build:server)`)
/** The index in `builds` of the server restart `r` runs (0 without --builds: dist/, rebuilt when stale). */
const buildOf = (r: number): number => (builds.length > 0 ? r % builds.length : 0)
const WRITERS = 10
const EDITS = 10_000

const tmp = mkdtempSync(join(tmpdir(), 'polyphony-bench-cold-'))
// The rate limit raised: the ingest is set-up here, not what is measured.
const opts = { kind: 'polyphony' as const, dataDir: join(tmp, 'data'), bootstrapFile: writeBootstrap(join(tmp, 'b.json'), 2 * WRITERS, 0), serveFlags: RAISED_LIMIT_FLAGS }
const profileDir = join(tmp, 'profiles')
let target: RunningTarget = await startTarget({ ...opts, serveScript: serveScripts[0] })
const url = (i: number) => `${target.syncBase}${FANOUT_WORKSPACE}/shared?token=${tokenOf(i)}&persisted=1`
/** The server main thread's time on CPU so far, ms. */
const mainThreadCpuMs = () => Number(readFileSync(`/proc/${target.pid}/task/${target.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6

/** µs on the monotonic clock V8's profiles use. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n)

interface Sync {
  cpuMs: number
  ms: number
  /** When it started and ended (monotonicUs), to cut the server's profile. */
  fromUs: number
  toUs: number
}

/** One fresh client syncs the whole room: the server's main-thread CPU and the latency until its sync step 2. */
async function freshSync(i: number): Promise<Sync> {
  const fromUs = monotonicUs()
  const cpu0 = mainThreadCpuMs()
  const client = new BenchClient({ url: url(WRITERS + (i % WRITERS)), clientId: 10_000 + i, dialect: 'polyphony', applyRemote: true })
  try {
    await client.synced
    return { cpuMs: mainThreadCpuMs() - cpu0, ms: client.syncedAt - client.startedAt, fromUs, toUs: monotonicUs() }
  } finally {
    await client.close()
  }
}

const rows: Record<'warm' | 'first' | 'second', Sync[]> = { warm: [], first: [], second: [] }
/** The restarted servers' pids, in order (their profiles are named by pid). */
const pids: number[] = []
const startCpuMs: number[] = []
const rssMB: number[] = []
try {
  for (let w = 0; w < WRITERS; w++) {
    const writer = new BenchClient({ url: url(w), clientId: 1 + w, dialect: 'polyphony', applyRemote: false })
    await writer.synced
    await streamAll(
      writer,
      writer.prepare(() => {
        for (let i = 0; i < EDITS; i++) writer.text.insert(writer.text.length, 'x')
      }),
    )
    await writer.close()
  }
  for (let i = 0; i < 5; i++) rows.warm.push(await freshSync(i))
  for (let r = 0; r < restarts; r++) {
    const t0 = now()
    await target.stop()
    target = await startTarget({ ...opts, serveScript: serveScripts[buildOf(r)], ...(profile ? { profileDir, profileIntervalUs: 100 } : {}) })
    pids.push(target.pid)
    startCpuMs.push(mainThreadCpuMs())
    process.stderr.write(`[bench cold] restart ${r + 1}: listening after ${Math.round(now() - t0)} ms\n`)
    await sleep(1000) // as manydocs' base RSS: 1 s after start, before the first client
    rssMB.push(memory(target.pid).rss / 2 ** 20)
    rows.first.push(await freshSync(100 + r))
    await sleep(100)
    rows.second.push(await freshSync(200 + r))
  }
} finally {
  await target.stop()
}
const profiles = profile ? readdirSync(profileDir) : []
const windows = (key: 'first' | 'second') =>
  pids.flatMap((pid, r) => {
    const file = profiles.find((f) => f.includes(`.${pid}.`))
    if (!file) return []
    const whole = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile
    return [summarizeProfile(profileWindow(whole, rows[key][r].fromUs, rows[key][r].toUs), 1000)]
  })
const profileSections = profile ? [windows('first'), windows('second')] : []
rmSync(tmp, { recursive: true, force: true })

const fmt = (xs: number[]) => `${median(xs).toFixed(2)} (${xs.map((x) => x.toFixed(1)).join(', ')})`
console.log(`| sync | server main-thread CPU ms, median (runs) | latency ms, median (runs) |`)
console.log(`|---|---|---|`)
const row = (label: string, syncs: Sync[]) => console.log(`| ${label} | ${fmt(syncs.map((x) => x.cpuMs))} | ${fmt(syncs.map((x) => x.ms))} |`)
row(`warm server (5 fresh clients)${builds.length > 0 ? `, ${builds[0]}` : ''}`, rows.warm)
for (let b = 0; b < Math.max(1, builds.length); b++) {
  const of = (key: 'first' | 'second') => rows[key].filter((_, r) => buildOf(r) === b)
  const built = builds.length > 0 ? `, ${builds[b]}` : ''
  row(`first client after a restart${built}`, of('first'))
  row(`second client after a restart${built}`, of('second'))
  console.log(`\nfirst after restart / warm, main-thread CPU${built}: ${(median(of('first').map((x) => x.cpuMs)) / median(rows.warm.map((x) => x.cpuMs))).toFixed(2)}×\n`)
}
console.log(`start-up until listening, main-thread CPU ms: ${fmt(startCpuMs)}; RSS 1 s after start, MB: ${fmt(rssMB)}`)
if (profile) {
  const [first, second] = profileSections
  console.log(`\n${profileMarkdown(`server CPU profile, first client after a restart, mean of ${first.length}`, meanSummary(first, 25), 2)}`)
  console.log(`\n${profileMarkdown(`server CPU profile, second client after a restart, mean of ${second.length}`, meanSummary(second, 25), 2)}`)
}
