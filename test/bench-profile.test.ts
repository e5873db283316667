// [perf] The bench's profile of one step: a server's CPU profile cut to the time a step took
// (bench/profile.ts profileWindow, used by bench/coldRestart.ts --profile) and the mean of several.
import { describe, expect, it } from 'vitest'
import { build } from 'esbuild'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { meanSummary, profileWindow, summarizeProfile, type CpuProfile } from '../bench/profile.ts'

const frame = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 0 } })

/** Samples every 100 µs from t = 1,000,000 µs: `ids[i]` is the node of sample i. */
function profile(ids: number[]): CpuProfile {
  return {
    nodes: [frame(1, '(idle)', ''), frame(2, 'load', 'file:///app/dist/server/core/Room.js'), frame(3, 'applyUpdate', 'file:///app/node_modules/yjs/dist/yjs.mjs')],
    samples: ids,
    timeDeltas: ids.map(() => 100),
    startTime: 1_000_000,
  }
}

describe('bench profile windows', () => {
  it('keeps only the samples taken inside the window, idle left out of the total', () => {
    // Sample i is taken at 1,000,000 + 100 (i + 1) µs.
    const p = profile([2, 2, 3, 3, 1, 3, 2, 2])
    const s = summarizeProfile(profileWindow(p, 1_000_300, 1_000_600), 10)
    // Samples 2..5: applyUpdate, applyUpdate, idle, applyUpdate.
    expect(s.totalMs).toBeCloseTo(0.3)
    expect(s.functions.map((f) => [f.name, Number(f.ms.toFixed(3))])).toEqual([['yjs/dist/yjs.mjs:1 applyUpdate', 0.3]])
    expect(summarizeProfile(profileWindow(p, 2_000_000, 3_000_000)).totalMs).toBe(0)
  })

  it('averages the runs of a step per function and package', () => {
    const a = summarizeProfile(profile([2, 2, 3, 3]), 10)
    const b = summarizeProfile(profile([2, 2]), 10)
    const mean = meanSummary([a, b])
    expect(mean.totalMs).toBeCloseTo(0.3)
    expect(mean.functions.map((f) => [f.name, Number(f.ms.toFixed(3))])).toEqual([
      ['server/core/Room.js:1 load', 0.2],
      ['yjs/dist/yjs.mjs:1 applyUpdate', 0.1],
    ])
    expect(mean.packages.map((p) => p.name)).toEqual(['server/core', 'yjs'])
  })

  it('files a frame of a bundle with a source map under its original file and package', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polyphony-profile-map-'))
    try {
      mkdirSync(join(dir, 'node_modules', 'fakepkg'), { recursive: true })
      writeFileSync(join(dir, 'node_modules', 'fakepkg', 'index.js'), 'export function hot(n) {\n  let s = 0\n  for (let i = 0; i < n; i++) s += i\n  return s\n}\n')
      writeFileSync(join(dir, 'entry.js'), "import { hot } from 'fakepkg'\nconsole.log(hot(3))\n")
      await build({ entryPoints: [join(dir, 'entry.js')], outfile: join(dir, 'out.js'), bundle: true, format: 'esm', platform: 'node', sourcemap: true, logLevel: 'silent' })
      // The bundled `hot`: where V8 would report it (0-based line and column of its declaration).
      const lines = readFileSync(join(dir, 'out.js'), 'utf8').split('\n')
      const lineNumber = lines.findIndex((l) => l.includes('function hot('))
      const columnNumber = lines[lineNumber].indexOf('function hot(')
      const url = pathToFileURL(join(dir, 'out.js')).href
      const p: CpuProfile = { nodes: [{ id: 1, callFrame: { functionName: 'hot', url, lineNumber, columnNumber } }], samples: [1, 1], timeDeltas: [100, 100] }
      const s = summarizeProfile(p)
      expect(s.functions.map((f) => f.name)).toEqual(['fakepkg/index.js:1 hot'])
      expect(s.packages.map((x) => x.name)).toEqual(['fakepkg'])
      // A script with no map beside it (here a URL that names none) keeps its own file.
      const unmapped = summarizeProfile({ ...p, nodes: [{ id: 1, callFrame: { functionName: 'hot', url: `${url}?nomap`, lineNumber, columnNumber } }] })
      expect(unmapped.packages.map((x) => x.name)).toEqual(['other'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
