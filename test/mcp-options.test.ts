// [reach] `polyphony mcp` flags and environment (pure), and --help as a user runs it.
import { expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { parseMcpOptions } from '../app/cli/mcpOptions.ts'
import { startTestServer } from './helpers/server.ts'

it('reads flags, falls back to POLYPHONY_* and says what is missing', () => {
  expect(parseMcpOptions(['--workspace', 'w', '--token', 't', '--server', 'http://127.0.0.1:9/'], {})).toEqual({
    ok: true,
    options: { server: 'http://127.0.0.1:9', workspace: 'w', token: 't' },
  })
  expect(parseMcpOptions([], { POLYPHONY_WORKSPACE: 'w', POLYPHONY_TOKEN: 't', POLYPHONY_URL: 'http://127.0.0.1:7' })).toMatchObject({
    ok: true,
    options: { server: 'http://127.0.0.1:7' },
  })
  expect(parseMcpOptions(['--token', 't'], {})).toEqual({ ok: false, help: false, error: '--workspace is required (or set POLYPHONY_WORKSPACE)' })
  expect(parseMcpOptions(['--workspace', 'w'], {})).toMatchObject({ ok: false, error: expect.stringMatching(/--token is required/) })
  expect(parseMcpOptions(['--bogus'], {})).toMatchObject({ ok: false, error: expect.stringMatching(/polyphony mcp --help/) })
})

it('polyphony mcp --help prints the usage and the Claude Code line', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['bin/polyphony.mjs', 'mcp', '--help'])
  expect(stdout).toMatch(/^polyphony mcp — /)
  expect(stdout).toContain('claude mcp add polyphony -- npx polyphony mcp')
  const main = await promisify(execFile)(process.execPath, ['bin/polyphony.mjs', '--help'])
  expect(main.stdout).toContain('polyphony mcp --workspace W')
})

it('polyphony mcp exits 1 with the reason on stderr (nothing on stdout) when it cannot attach', async () => {
  const run = promisify(execFile)(process.execPath, ['bin/polyphony.mjs', 'mcp', '--server', 'http://127.0.0.1:1', '--workspace', 'w', '--token', 't'])
  const failed = (await run.then(
    () => null,
    (err: unknown) => err,
  )) as { code: number; stdout: string; stderr: string } | null
  expect(failed).not.toBeNull()
  expect(failed?.code).toBe(1)
  expect(failed?.stdout).toBe('')
  expect(failed?.stderr).toMatch(/cannot attach to http:\/\/127\.0\.0\.1:1 workspace w: cannot reach/)
})

it('polyphony mcp with a refused token exits 4 (fatal), not 1', async () => {
  const server = await startTestServer()
  try {
    const run = promisify(execFile)(process.execPath, ['bin/polyphony.mjs', 'mcp', '--server', server.url, '--workspace', 'w1', '--token', 'pp_not_a_valid_token_0123456789abcdef'])
    const failed = (await run.then(
      () => null,
      (err: unknown) => err,
    )) as { code: number; stdout: string; stderr: string } | null
    expect(failed?.code).toBe(4)
    expect(failed?.stdout).toBe('')
    expect(failed?.stderr).toMatch(/token was refused .*\(fatal: not retrying\)/)
  } finally {
    await server.close()
  }
})
