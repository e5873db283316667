// `npm run bench -- --quick` completes and prints its tables. No timing assertions:
// the numbers depend on the machine; this only proves the benchmark works end to end.

import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..')

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('npm run bench -- --quick', () => {
  it('runs every scenario on every target and prints the results and ratio tables', { timeout: 300_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'polyphony-bench-test-'))
    try {
      const { code, stdout, stderr } = await runBench(['--quick', '--out', out])
      expect(code, stderr.slice(-4000)).toBe(0)
      expect(stdout).toContain('| scenario | metric | Polyphony (SQLite) | Polyphony (memory) | reference | Hocuspocus | Polyphony / reference | Polyphony / Hocuspocus |')
      expect(stdout).toContain('| ratio | value | goal | met |')
      for (const scenario of ['fanout', 'burst', 'manydocs', 'coldsync']) expect(stdout).toMatch(new RegExp(`^\\| ${scenario} \\|`, 'm'))
      // every client converged / got every edit, on every target that ran the scenario
      expect(stdout).toMatch(/^\| fanout \| converged \(1 = yes\) \| 1 \| 1 \| 1 \| 1 \|/m)
      // the reference with Polyphony's probe-answer traffic ran fanout and converged too
      expect(stdout).toMatch(/^\| converged \(1 = yes\) \| 1 \| 1 \| 1 \| 1 \|/m)
      expect(stdout).toMatch(/^\| burst \| converged \(1 = yes\) \| 1 \| 1 \| 1 \| 1 \|/m)
      expect(stdout).toMatch(/^\| manydocs \| clients refused or failed \| 0 \| 0 \| 0 \| 0 \|/m)
      expect(stdout).toMatch(/^\| coldsync \| fresh clients got every edit \(1 = yes\) \| 1 \| — \| 1 \| — \|/m)
      expect(stdout).toContain('- machine: ')
      const written = /Results written to (.+\.md)/.exec(stdout)?.[1]
      expect(written).toBeDefined()
      expect(readFileSync(join(ROOT, written!), 'utf8')).toContain('## Ratios')
      expect(stderr).toContain('[bench')
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })

  it('rejects an unknown scenario with the usage text', { timeout: 60_000 }, async () => {
    const { code, stdout } = await runBench(['--only', 'nope'])
    expect(code).toBe(2)
    expect(stdout).toContain('unknown scenario "nope"')
    expect(stdout).toContain('--quick')
  })
})
