// Lockfile review for CI: reads `npm audit --omit=dev --json` on stdin and decides.
//   - a report with high or critical advisories in production dependencies: fail (exit 1), listing them;
//   - a report without: pass;
//   - no report because the advisory endpoint could not be reached or refused the request
//     (a registry mirror without the audit API answers 405): pass with a loud warning that
//     nothing was checked, unless AUDIT_STRICT=1 (then fail).
// Usage: npm audit --omit=dev --json | npx tsx .ci/auditVerdict.ts

export interface AuditVerdict {
  ok: boolean
  message: string
}

const BLOCKING = new Set(['high', 'critical'])

interface AuditReport {
  auditReportVersion: number
  vulnerabilities: Record<string, { severity: string; via: unknown[]; range?: string; fixAvailable?: unknown }>
}

export function auditVerdict(output: string, strict = false): AuditVerdict {
  let parsed: unknown
  try {
    parsed = JSON.parse(output)
  } catch {
    parsed = null
  }
  if (!isReport(parsed)) {
    const why = describeFailure(parsed, output)
    const message =
      `npm audit could not check production dependencies: ${why}. ` +
      'The registry in use does not serve the advisory API (POST /-/npm/v1/security/advisories/bulk); ' +
      'run `npm audit --omit=dev --audit-level=high` where registry.npmjs.org is reachable.'
    return { ok: !strict, message: strict ? message : `WARNING: ${message}` }
  }
  const blocking = Object.entries(parsed.vulnerabilities).filter(([, v]) => BLOCKING.has(v.severity))
  if (blocking.length === 0) {
    const total = Object.keys(parsed.vulnerabilities).length
    return { ok: true, message: `npm audit: no high or critical advisories in production dependencies (${total} below high)` }
  }
  const lines = blocking.map(([name, v]) => `  ${name} (${v.severity}${v.range ? `, ${v.range}` : ''})${v.fixAvailable ? ': fix available, run npm audit fix --omit=dev' : ''}`)
  return { ok: false, message: `npm audit: ${blocking.length} production dependencies with high or critical advisories:\n${lines.join('\n')}` }
}

function isReport(x: unknown): x is AuditReport {
  return typeof x === 'object' && x !== null && 'auditReportVersion' in x && 'vulnerabilities' in x && typeof x.vulnerabilities === 'object'
}

function describeFailure(parsed: unknown, raw: string): string {
  if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') return parsed.message
  const text = raw.trim()
  return text ? `unexpected output: ${text.slice(0, 200)}` : 'no output (network unreachable?)'
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  const verdict = auditVerdict(Buffer.concat(chunks).toString('utf8'), process.env.AUDIT_STRICT === '1')
  ;(verdict.ok ? console.log : console.error)(verdict.message)
  process.exitCode = verdict.ok ? 0 : 1
}
