// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by file:function and
// by package, so the bench report can say what dominates the server's CPU.
// Also runnable: `npx tsx bench/profile.ts FILE.cpuprofile [FILE...]`.

import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber?: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
}

export interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  /** µs on the monotonic clock process.hrtime reads too (V8's TimeTicks, CLOCK_MONOTONIC on Linux). */
  startTime?: number
}

export interface ProfileSummary {
  totalMs: number
  functions: Array<{ name: string; ms: number; share: number }>
  packages: Array<{ name: string; ms: number; share: number }>
}

function shortUrl(url: string): string {
  if (!url) return '(native)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length)
  const at = url.search(/\/(server|shared)\//)
  if (at >= 0) return url.slice(at + 1)
  return url.replace(/^file:\/\//, '')
}

function packageOf(url: string): string {
  if (!url) return '(native, GC, idle)'
  if (url.startsWith('node:')) return 'node core'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  const m = /\/(server\/[^/]+|shared)\//.exec(url)
  return m ? m[1] : 'other'
}

/** Source maps of bundled scripts by URL (null: the script has none). */
const maps = new Map<string, { map: SourceMap; dir: string } | null>()

function sourceMapOf(url: string): { map: SourceMap; dir: string } | null {
  if (!maps.has(url)) {
    let found: { map: SourceMap; dir: string } | null = null
    if (url.startsWith('file://') && url.endsWith('.js')) {
      const file = `${fileURLToPath(url)}.map`
      if (existsSync(file)) found = { map: new SourceMap(JSON.parse(readFileSync(file, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]), dir: dirname(file) }
    }
    maps.set(url, found)
  }
  return maps.get(url)!
}

/**
 * Where a frame's code came from: the server runs as one esbuild bundle (bundleServer.ts) whose
 * dependencies and modules share a few files, so a frame in a script with a source map is filed
 * under its original file (and so its package), not the bundle's.
 */
export function originalFrame(f: CallFrame): CallFrame {
  const found = f.url ? sourceMapOf(f.url) : null
  if (!found) return f
  const entry = found.map.findEntry(f.lineNumber, f.columnNumber ?? 0) as { originalSource?: string; originalLine?: number }
  if (!entry.originalSource) return f
  const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(found.dir, entry.originalSource)
  return { ...f, url: pathToFileURL(source).href, lineNumber: entry.originalLine ?? f.lineNumber }
}

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000
    total += dt
    self.set(id, (self.get(id) ?? 0) + dt)
  })
  const fns = new Map<string, number>()
  const pkgs = new Map<string, number>()
  for (const [id, ms] of self) {
    const f = originalFrame(byId.get(id)!.callFrame)
    if (f.functionName === '(idle)') {
      total -= ms
      continue
    }
    const name = f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1} ${f.functionName || '(anonymous)'}` : f.functionName
    fns.set(name, (fns.get(name) ?? 0) + ms)
    pkgs.set(packageOf(f.url), (pkgs.get(packageOf(f.url)) ?? 0) + ms)
  }
  const rank = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms, share: ms / total }))
  return { totalMs: total, functions: rank(fns, top), packages: rank(pkgs, 12) }
}

/**
 * The samples of `profile` taken between `fromUs` and `toUs` (process.hrtime in µs: a bench that
 * notes when a step started and ended gets the server's profile of that step alone).
 */
export function profileWindow(profile: CpuProfile, fromUs: number, toUs: number): CpuProfile {
  const samples: number[] = []
  const timeDeltas: number[] = []
  let t = profile.startTime ?? 0
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0
    if (t < fromUs || t > toUs) return
    samples.push(id)
    timeDeltas.push(profile.timeDeltas[i] ?? 0)
  })
  return { nodes: profile.nodes, samples, timeDeltas, startTime: fromUs }
}

/** Summaries of several runs of the same step as one: each function's and package's mean ms per run. */
export function meanSummary(summaries: ProfileSummary[], top = 15): ProfileSummary {
  const n = Math.max(1, summaries.length)
  const totalMs = summaries.reduce((sum, s) => sum + s.totalMs, 0) / n
  const mean = (pick: (s: ProfileSummary) => Array<{ name: string; ms: number }>, count: number) => {
    const byName = new Map<string, number>()
    for (const s of summaries) for (const e of pick(s)) byName.set(e.name, (byName.get(e.name) ?? 0) + e.ms / n)
    return [...byName.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, ms]) => ({ name, ms, share: totalMs > 0 ? ms / totalMs : 0 }))
  }
  return { totalMs, functions: mean((s) => s.functions, top), packages: mean((s) => s.packages, 12) }
}

/** `msDigits`: decimals of the ms columns (a step of a few ms needs 2; a whole run none). */
export function profileMarkdown(title: string, s: ProfileSummary, msDigits = 0): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`
  const total = msDigits > 0 ? `${s.totalMs.toFixed(msDigits)} ms` : `${(s.totalMs / 1000).toFixed(2)} s`
  return [
    `#### ${title} (${total} on CPU, idle excluded)`,
    '',
    '| self time by package | ms | share |',
    '|---|--:|--:|',
    ...s.packages.map((p) => `| ${p.name} | ${p.ms.toFixed(msDigits)} | ${pct(p.share)} |`),
    '',
    '| self time by function (file:line function) | ms | share |',
    '|---|--:|--:|',
    ...s.functions.map((f) => `| \`${f.name}\` | ${f.ms.toFixed(msDigits)} | ${pct(f.share)} |`),
  ].join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const file of process.argv.slice(2)) {
    console.log(profileMarkdown(file, summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, 25)))
    console.log()
  }
}
