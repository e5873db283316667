// [reach] Operational limits from `polyphony serve` flags and environment: every limit in the
// table is settable both ways and listed in --help; bad values are refused with the range.

import { describe, expect, it } from 'vitest'
import { parseServerConfig, SERVER_HELP } from '../server/config.ts'
import { LIMIT_SPECS, parseLimits } from '../server/limitsConfig.ts'
import { DEFAULT_LIMITS } from '../server/core/limits.ts'
import { DEFAULT_HTTP_LIMITS } from '../server/http/limits.ts'

const ok = (argv: string[], env: Record<string, string> = {}) => {
  const r = parseServerConfig(argv, env)
  if (!r.ok) throw new Error(r.help ? 'help' : r.error)
  return r.config
}
const error = (argv: string[], env: Record<string, string> = {}) => {
  const r = parseServerConfig(argv, env)
  if (r.ok || r.help) throw new Error('expected an error')
  return r.error
}

describe('limits from flags and environment', () => {
  it('no flag, no variable: no override (the core keeps its defaults)', () => {
    expect(ok([]).limits).toEqual({})
    expect(ok([]).httpLimits).toEqual({})
  })

  it('every limit is listed in serve --help with its flag and variable', () => {
    for (const spec of LIMIT_SPECS) {
      expect(SERVER_HELP).toContain(`--${spec.flag} N`)
      expect(SERVER_HELP).toContain(`[${spec.env}]`)
    }
    expect(SERVER_HELP).toContain('--max-message-bytes N')
  })

  it('every limit can be set by flag and by environment; the flag wins', () => {
    for (const spec of LIMIT_SPECS) {
      const set = (c: ReturnType<typeof ok>) => (spec.scope === 'sync' ? c.limits[spec.key] : c.httpLimits[spec.key])
      const base = spec.scope === 'sync' ? DEFAULT_LIMITS[spec.key] : DEFAULT_HTTP_LIMITS[spec.key]
      const value = Math.max(spec.min, Math.min(spec.max, base + 1))
      expect(set(ok([`--${spec.flag}`, String(value)])), spec.flag).toBe(value)
      expect(set(ok([], { [spec.env]: String(value) })), spec.env).toBe(value)
      expect(set(ok([`--${spec.flag}=${spec.min}`], { [spec.env]: String(value) }))).toBe(spec.min)
    }
  })

  it('byte sizes take KiB, MiB, GiB suffixes; counts do not', () => {
    expect(ok(['--max-message-bytes', '8MiB']).limits.maxMessageBytes).toBe(8 * 1024 * 1024)
    expect(ok(['--max-buffered-bytes', '512k']).limits.maxBufferedBytes).toBe(512 * 1024)
    expect(ok([], { POLYPHONY_BYTE_BURST: '1GiB' }).limits.byteBurst).toBe(1024 ** 3)
    expect(error(['--max-connections', '5k'])).toMatch(/--max-connections must be a whole number, got "5k"/)
  })

  it('refuses values that are not whole numbers, with the accepted form', () => {
    expect(error(['--max-message-bytes', 'lots'])).toMatch(/--max-message-bytes must be a whole number of bytes, optionally ending in KiB, MiB or GiB \(e\.g\. 8MiB\), got "lots"/)
    expect(error(['--idle-room-ms', '1.5'])).toMatch(/--idle-room-ms must be a whole number/)
    expect(error(['--max-connections=-3'])).toMatch(/--max-connections must be a whole number/)
    expect(error([], { POLYPHONY_MAX_ROOMS_PER_PRINCIPAL: 'ten' })).toMatch(/POLYPHONY_MAX_ROOMS_PER_PRINCIPAL must be a whole number/)
  })

  it('refuses values out of range, naming the range', () => {
    expect(error(['--max-message-bytes', '10'])).toMatch(/--max-message-bytes must be from 1KiB to 256MiB, got 10/)
    expect(error(['--max-message-bytes', '1GiB'])).toMatch(/from 1KiB to 256MiB, got 1GiB/)
    expect(error(['--max-rooms-per-principal', '0'])).toMatch(/--max-rooms-per-principal must be from 1 to 100000, got 0/)
    expect(error(['--ping-interval-ms', '10'])).toMatch(/from 1000 to 3600000/)
    expect(error(['--max-connections', '99999999999999999'])).toMatch(/--max-connections must be/)
  })

  it('an error points to --help', () => {
    expect(error(['--max-connections', '0'])).toMatch(/Run with --help/)
  })

  it('an unknown limit flag is an error, not ignored', () => {
    expect(error(['--max-conections', '5'])).toMatch(/Unknown option '--max-conections'/)
  })

  it('parseLimits alone: empty variables are unset', () => {
    expect(parseLimits({}, { POLYPHONY_MAX_CONNECTIONS: '' })).toEqual({ ok: true, limits: {}, httpLimits: {} })
  })

  it('HTTP limits go to httpLimits, socket limits to limits', () => {
    const c = ok(['--max-body-bytes', '2MiB', '--max-sockets-per-principal', '4'])
    expect(c.httpLimits).toEqual({ maxBodyBytes: 2 * 1024 * 1024 })
    expect(c.limits).toEqual({ maxSocketsPerPrincipal: 4 })
  })
})
