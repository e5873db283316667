// [reach] `polyphony admin` as an operator runs it (node bin/polyphony.mjs in its own process)
// against a real server: every command, its --help, and errors that say the fix.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { httpJson } from './helpers/http.ts'
import { cleanEnv, killAllCli, runCli } from './fixtures/agents-process.ts'

const t = useHarness()
beforeAll(() => t.start())
afterAll(() => killAllCli())

async function admin(args: string[], env: Record<string, string> = { POLYPHONY_ADMIN_TOKEN: ADMIN_TOKEN }) {
  const run = runCli(['admin', ...args, ...(args.includes('--server') ? [] : ['--server', t.server.url])], { env: cleanEnv(env) })
  const { code } = await run.exited
  return { code, out: run.stdout.join('\n'), err: run.stderr.join('\n') }
}

describe('polyphony admin', () => {
  it('--help lists every command; each command has its own --help', async () => {
    const help = await admin(['--help'])
    expect(help.code).toBe(0)
    for (const c of ['principal create', 'principal list', 'principal revoke', 'principal rotate', 'workspace create', 'member add', 'member remove', 'member list']) {
      expect(help.out).toContain(c)
    }
    const one = await admin(['member', 'add', '--help'])
    expect(one.code).toBe(0)
    expect(one.out).toMatch(/Usage: polyphony admin member add WORKSPACE PRINCIPAL --role/)
  })

  it('principal create → workspace create → member add/list/remove, rotate and revoke', async () => {
    const created = await admin(['principal', 'create', 'erin', '--kind', 'human', '--name', 'Erin', '--json'])
    expect(created.code, created.err).toBe(0)
    const { token: erinToken } = JSON.parse(created.out) as { token: string }
    expect((await httpJson(`${t.server.url}/api/me`, { token: erinToken })).status).toBe(200)

    const list = await admin(['principal', 'list'])
    expect(list.out).toMatch(/^erin\s+human\s+Erin$/m)

    const ws = await admin(['workspace', 'create', 'essays', '--title', 'Essays', '--visibility', 'team'])
    expect(ws.code, ws.err).toBe(0)
    expect(ws.out).toContain('created workspace essays "Essays" (team)')

    expect((await admin(['member', 'add', 'essays', 'erin', '--role', 'editor'])).out).toContain('erin is editor of essays')
    expect((await admin(['member', 'list', 'essays'])).out).toMatch(/^erin\s+editor$/m)
    expect((await admin(['member', 'add', 'essays', 'erin', '--role', 'viewer'])).out).toContain('erin is viewer of essays')
    expect((await admin(['member', 'remove', 'essays', 'erin'])).out).toContain('removed erin from essays')
    expect((await admin(['member', 'list', 'essays'])).out).not.toContain('erin')

    const rotated = await admin(['principal', 'rotate', 'erin', '--json'])
    expect(rotated.code, rotated.err).toBe(0)
    const { token: newToken } = JSON.parse(rotated.out) as { token: string }
    expect(newToken).not.toBe(erinToken)
    expect((await httpJson(`${t.server.url}/api/me`, { token: erinToken })).status).toBe(401)
    expect((await httpJson(`${t.server.url}/api/me`, { token: newToken })).status).toBe(200)

    expect((await admin(['principal', 'revoke', 'erin'])).out).toContain('revoked erin')
    expect((await httpJson(`${t.server.url}/api/me`, { token: newToken })).status).toBe(401)
    expect((await admin(['principal', 'list'])).out).toMatch(/^erin .*\(revoked\)$/m)
  })

  it('errors say the fix', async () => {
    const noToken = await admin(['principal', 'list'], {})
    expect(noToken.code).toBe(2)
    expect(noToken.err).toMatch(/POLYPHONY_ADMIN_TOKEN is not set/)

    const wrongToken = await admin(['principal', 'list'], { POLYPHONY_ADMIN_TOKEN: 'pp_wrong' })
    expect(wrongToken.code).toBe(1)
    expect(wrongToken.err).toMatch(/refused the token: set POLYPHONY_ADMIN_TOKEN/)

    const notAdmin = await admin(['principal', 'list'], { POLYPHONY_ADMIN_TOKEN: token('alice') })
    expect(notAdmin.code).toBe(1)
    expect(notAdmin.err).toMatch(/not an administrator's/)

    const unreachable = await admin(['principal', 'list', '--server', 'http://127.0.0.1:1'])
    expect(unreachable.code).toBe(1)
    expect(unreachable.err).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1.*\n.*--server URL/)

    const missingKind = await admin(['principal', 'create', 'frank'])
    expect(missingKind.code).toBe(2)
    expect(missingKind.err).toMatch(/--kind is required: one of human, agent, service/)

    const badRole = await admin(['member', 'add', 'w1', 'bob', '--role', 'boss'])
    expect(badRole.err).toMatch(/--role is required: one of owner, editor, reviewer, viewer/)

    const missingArg = await admin(['member', 'add', 'w1', '--role', 'editor'])
    expect(missingArg.code).toBe(2)
    expect(missingArg.err).toMatch(/expected WORKSPACE PRINCIPAL, got w1\nUsage:/)

    const unknown = await admin(['principal', 'delete', 'bob'])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toMatch(/unknown admin command "principal delete" \("principal" takes: create, list, revoke, rotate\)/)

    const taken = await admin(['principal', 'create', 'bob', '--kind', 'human'])
    expect(taken.code).toBe(1)
    expect(taken.err).toMatch(/principal bob already exists \(HTTP 409 conflict\)/)

    const noSuch = await admin(['principal', 'rotate', 'nobody'])
    expect(noSuch.err).toMatch(/no principal nobody/)
  })
})

describe('POST /api/principals/:id/token (rotate)', () => {
  it('is for administrators only', async () => {
    const res = await httpJson(`${t.server.url}/api/principals/bob/token`, { method: 'POST', token: token('alice') })
    expect(res.status).toBe(403)
    expect((await httpJson(`${t.server.url}/api/me`, { token: token('bob') })).status).toBe(200)
  })
})
