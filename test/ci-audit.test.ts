// The CI lockfile review (.ci/auditVerdict.ts): findings fail, a clean report passes, an
// unreachable advisory endpoint passes with a warning (or fails under AUDIT_STRICT).

import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { auditVerdict } from '../.ci/auditVerdict.ts'

/** The shape `npm audit --json` (report version 2) prints. */
function report(vulnerabilities: Record<string, { severity: string; range?: string; fixAvailable?: boolean }>): string {
  return JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities: Object.fromEntries(Object.entries(vulnerabilities).map(([name, v]) => [name, { name, via: [], effects: [], nodes: [], ...v }])),
    metadata: { vulnerabilities: {} },
  })
}

const UNREACHABLE = JSON.stringify({
  message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  statusCode: 405,
  body: '',
})

describe('CI dependency audit verdict', () => {
  it('fails on high or critical advisories and names them', () => {
    const v = auditVerdict(report({ ws: { severity: 'high', range: '8.0.0 - 8.17.0', fixAvailable: true }, debug: { severity: 'low' } }))
    expect(v.ok).toBe(false)
    expect(v.message).toContain('ws (high, 8.0.0 - 8.17.0)')
    expect(v.message).not.toContain('debug')
  })

  it('passes a report with nothing above moderate', () => {
    const v = auditVerdict(report({ debug: { severity: 'moderate' } }))
    expect(v).toEqual({ ok: true, message: expect.stringContaining('1 below high') })
  })

  it('passes with a warning when the advisory endpoint is unreachable, fails under strict', () => {
    const soft = auditVerdict(UNREACHABLE)
    expect(soft.ok).toBe(true)
    expect(soft.message).toMatch(/^WARNING: npm audit could not check production dependencies: 405/)
    expect(auditVerdict('', true).ok).toBe(false)
    expect(auditVerdict('', false).message).toContain('no output')
  })

  it('runs as the CI step: exit code 1 on findings', () => {
    const run = (input: string) => {
      try {
        execFileSync(process.execPath, ['--import', 'tsx', '.ci/auditVerdict.ts'], { input, stdio: ['pipe', 'pipe', 'pipe'] })
        return 0
      } catch (err) {
        return (err as { status: number }).status
      }
    }
    expect(run(report({ ws: { severity: 'critical' } }))).toBe(1)
    expect(run(report({}))).toBe(0)
  })
})
