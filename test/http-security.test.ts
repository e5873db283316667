// [browser hygiene] Every HTTP response carries the security headers (CSP, nosniff, referrer
// policy, no framing), and a missing build asset is a 404 that nothing may cache, not the app
// page with a one-year immutable cache.

import { beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { contentSecurityPolicy } from '../server/http/securityHeaders.ts'

const t = useHarness()
let clientDir: string

beforeAll(async () => {
  // A minimal build output: the server part is under test, not Vite.
  clientDir = mkdtempSync(join(tmpdir(), 'polyphony-fake-client-'))
  mkdirSync(join(clientDir, 'assets'))
  writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>Polyphony</title><script type="module" src="/assets/app-1234.js"></script>')
  writeFileSync(join(clientDir, 'assets', 'app-1234.js'), 'console.log("app")')
  writeFileSync(join(clientDir, 'sw.js'), '// service worker')
  t.defer(() => rmSync(clientDir, { recursive: true, force: true }))
  await t.start({ clientDir })
})

function get(path: string, auth?: string): Promise<Response> {
  return fetch(`${t.server.url}${path}`, { headers: auth ? { authorization: `Bearer ${token(auth)}` } : {} })
}

describe('security headers', () => {
  const routes: Array<[string, string | undefined, number]> = [
    ['/', undefined, 200],
    ['/w/w1?doc=brief', undefined, 200],
    ['/assets/app-1234.js', undefined, 200],
    ['/assets/missing.js', undefined, 404],
    ['/sw.js', undefined, 200],
    ['/healthz', undefined, 200],
    ['/metrics', undefined, 200],
    ['/api/me', undefined, 401],
    ['/api/me', 'alice', 200],
    ['/api/no-such-route', 'alice', 404],
  ]
  it.each(routes)('%s (as %s) answers %i with every header', async (path, who, status) => {
    const res = await get(path, who)
    expect(res.status).toBe(status)
    const host = new URL(t.server.url).host
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy(host))
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    await res.arrayBuffer()
  })

  it('the policy allows scripts from this origin only, inline styles, and sockets to this host', () => {
    const csp = contentSecurityPolicy('127.0.0.1:8080')
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]))
    expect(directives.get('script-src')).toEqual(["'self'"])
    expect(directives.get('style-src')).toEqual(["'self'", "'unsafe-inline'"])
    expect(directives.get('img-src')).toEqual(["'self'", 'data:'])
    expect(directives.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:8080', 'wss://127.0.0.1:8080'])
    expect(directives.get('frame-ancestors')).toEqual(["'none'"])
    expect(directives.get('default-src')).toEqual(["'self'"])
    // A Host header that is not a host is never echoed into the policy.
    expect(contentSecurityPolicy('evil.example; script-src *')).not.toContain('evil')
  })
})

describe('static files', () => {
  it('a missing asset is a 404 without the immutable cache, not the app page', async () => {
    const res = await get('/assets/missing.js')
    expect(res.status).toBe(404)
    expect(res.headers.get('cache-control') ?? '').not.toContain('immutable')
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(await res.json()).toMatchObject({ error: { code: 'not_found', message: expect.stringContaining('reload the page') } })
  })

  it('a present asset is cached forever; the app page and the service worker revalidate', async () => {
    const asset = await get('/assets/app-1234.js')
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(await asset.text()).toBe('console.log("app")')
    for (const path of ['/', '/sw.js', '/w/w1']) {
      const res = await get(path)
      expect(res.headers.get('cache-control')).toBe('no-cache')
      await res.arrayBuffer()
    }
  })
})
