// [observe] The shipped alert rules and Grafana dashboard load, and every metric they query is
// one a running server exposes (so a renamed metric cannot silently blind an alert).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer
let exposed: Set<string>
beforeAll(async () => {
  server = await startTestServer()
  const text = await (await fetch(`${server.url}/metrics`)).text()
  exposed = new Set([...text.matchAll(/^# HELP (\S+)/gm)].map((m) => m[1]))
})
afterAll(async () => {
  await server?.close()
})

/** Metric names in a PromQL expression, histogram series folded to their metric. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bpolyphony_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''))
}

describe('docs/observability', () => {
  it('alerts.yml is a Prometheus rule file whose rules query exposed metrics', () => {
    const doc = parse(readFileSync('docs/observability/alerts.yml', 'utf8')) as { groups: Array<{ name: string; rules: Array<Record<string, unknown>> }> }
    const rules = doc.groups.flatMap((g) => g.rules)
    expect(rules.length).toBeGreaterThanOrEqual(5)
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^Polyphony[A-Za-z]+$/)
      expect(typeof rule.expr).toBe('string')
      expect(rule.for).toMatch(/^\d+[smh]$/)
      expect((rule.labels as Record<string, string>).severity).toMatch(/^(warning|critical)$/)
      expect((rule.annotations as Record<string, string>).summary.length).toBeGreaterThan(10)
      const names = metricsIn(rule.expr as string)
      expect(names.length, rule.alert as string).toBeGreaterThan(0)
      for (const name of names) expect(exposed.has(name), `${rule.alert}: ${name}`).toBe(true)
    }
    // The alerts the issue asks for: conflict rate, breaker open, queue depth, persistence latency.
    const exprs = rules.map((r) => r.expr as string).join('\n')
    for (const m of ['polyphony_conflicts_total', 'polyphony_agent_breaker_state', 'polyphony_write_queue_deepest_updates', 'polyphony_persist_seconds_bucket'])
      expect(exprs).toContain(m)
  })

  it('grafana-dashboard.json is a dashboard whose panels query exposed metrics', () => {
    const dash = JSON.parse(readFileSync('docs/observability/grafana-dashboard.json', 'utf8')) as {
      title: string
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>
    }
    expect(dash.title).toBe('Polyphony')
    expect(dash.panels.length).toBeGreaterThanOrEqual(8)
    for (const panel of dash.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0)
      for (const t of panel.targets) for (const name of metricsIn(t.expr)) expect(exposed.has(name), `${panel.title}: ${name}`).toBe(true)
    }
  })
})
