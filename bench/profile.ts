// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by file:function and
// by package, so the bench report can say what dominates the server's CPU.
// Also runnable: `npx tsx bench/profile.ts FILE.cpuprofile [FILE...]`.

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
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
    const f = byId.get(id)!.callFrame
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

export function profileMarkdown(title: string, s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`
  return [
    `#### ${title} (${(s.totalMs / 1000).toFixed(2)} s on CPU, idle excluded)`,
    '',
    '| self time by package | ms | share |',
    '|---|--:|--:|',
    ...s.packages.map((p) => `| ${p.name} | ${p.ms.toFixed(0)} | ${pct(p.share)} |`),
    '',
    '| self time by function (file:line function) | ms | share |',
    '|---|--:|--:|',
    ...s.functions.map((f) => `| \`${f.name}\` | ${f.ms.toFixed(0)} | ${pct(f.share)} |`),
  ].join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const file of process.argv.slice(2)) {
    console.log(profileMarkdown(file, summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, 25)))
    console.log()
  }
}
