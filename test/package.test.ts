// [reach] The package as a user gets it: `npm pack` → installed without devDependencies into an
// empty project → `polyphony --help`, `polyphony serve` answering /healthz and serving the
// client, the SDK imported by package name (`polyphony/agents`) from a plain .mjs script, and
// its types checked by tsc from a consumer's .ts file.
//
// The compiled server is built here (`npm run build:server`) and packed with --ignore-scripts:
// the prepack script would also rebuild dist/client, which other test files serve meanwhile.
// better-sqlite3's native addon is copied from this checkout (same version, same Node) instead
// of compiled again: compiling SQLite takes minutes on this machine; the install itself uses
// the npm registry through the local cache (--prefer-offline).

import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpJson } from './helpers/http.ts'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

const run = promisify(execFile)
const repo = join(import.meta.dirname, '..')
const ADMIN = 'pp_package_admin_token_0123456789'
const AGENT = 'pp_package_agent_token_0123456789'

let dir = ''
let project = ''
const children: ChildProcess[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'polyphony-pack-'))
  if (!existsSync(join(repo, 'dist', 'client', 'index.html'))) await run('npm', ['run', 'build:client'], { cwd: repo })
  await run('npm', ['run', 'build:server'], { cwd: repo })
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: repo })
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))
  if (!tarball) throw new Error(`npm pack wrote no tarball in ${dir}`)
  project = join(dir, 'consumer')
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  await run('npm', ['install', '--omit=dev', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(dir, tarball)], { cwd: project })
  const addon = join('better-sqlite3', 'build', 'Release')
  mkdirSync(join(project, 'node_modules', addon), { recursive: true })
  copyFileSync(join(repo, 'node_modules', addon, 'better_sqlite3.node'), join(project, 'node_modules', addon, 'better_sqlite3.node'))
}, 240_000)

afterAll(() => {
  for (const c of children) c.kill('SIGKILL')
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const bin = () => join(project, 'node_modules', '.bin', 'polyphony')

describe('installed package (npm pack, --omit=dev)', () => {
  it('has no devDependency and no TypeScript source', () => {
    const installed = readdirSync(join(project, 'node_modules'))
    for (const dev of ['tsx', 'typescript', 'vitest', 'vite', 'svelte']) expect(installed).not.toContain(dev)
    for (const source of ['app', 'server', 'agents']) expect(existsSync(join(project, 'node_modules', 'polyphony', source))).toBe(false)
    expect(existsSync(join(project, 'node_modules', 'polyphony', 'dist', 'app', 'serve.js'))).toBe(true)
    expect(existsSync(join(project, 'node_modules', 'polyphony', 'dist', 'app', 'cli', 'main.js'))).toBe(true)
    // serve.js is the bundle (bundleServer.ts), not tsc's module importing ../server/ and the rest one by one.
    const serve = readFileSync(join(project, 'node_modules', 'polyphony', 'dist', 'app', 'serve.js'), 'utf8')
    expect(serve).not.toMatch(/from\s*["']\.\.\/server\//)
    expect(serve).toMatch(/from\s*["']\.\/chunks\//)
  })

  it('polyphony --help and serve --help work', async () => {
    const help = await run(bin(), ['--help'], { cwd: project })
    expect(help.stdout).toContain('polyphony serve')
    const serveHelp = await run(bin(), ['serve', '--help'], { cwd: project })
    expect(serveHelp.stdout).toContain('--max-message-bytes N')
  })

  it('serve answers /healthz and serves the client; the SDK imports by package name and writes', async () => {
    writeFileSync(join(project, 'deploy.json'), JSON.stringify({ principals: [{ id: 'bot', kind: 'agent', token: AGENT }], workspaces: [{ id: 'w', members: { bot: 'editor' } }] }))
    const server = spawn(bin(), ['serve', '--port', '0', '--data', join(project, 'data'), '--bootstrap', 'deploy.json', '--max-body-bytes', '4KiB'], {
      cwd: project,
      env: { PATH: process.env.PATH ?? '', POLYPHONY_ADMIN_TOKEN: ADMIN },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(server)
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      let err = ''
      server.stderr!.on('data', (d: Buffer) => (err += d.toString()))
      server.stdout!.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)
        if (m) resolve(m[1])
      })
      server.once('exit', (code) => reject(new Error(`serve exited ${code}\n${out}\n${err}`)))
    })
    expect((await httpJson<{ ok: boolean }>(`${url}/healthz`)).json.ok).toBe(true)
    const page = await httpJson<string>(`${url}/`)
    expect(page.status).toBe(200)
    expect(page.json).toContain('<div id="app"')
    // A limit flag reaches the running server: a 5 KiB body is over --max-body-bytes 4KiB.
    const tooBig = await httpJson<{ error: { code: string } }>(`${url}/api/principals`, {
      method: 'POST',
      token: ADMIN,
      body: { id: 'x', kind: 'human', name: 'n'.repeat(5 * 1024) },
    })
    expect(tooBig.status).toBe(413)
    expect(tooBig.json.error.code).toBe('payload_too_large')

    // The admin CLI of the installed package against it.
    const listed = await run(bin(), ['admin', 'principal', 'list', '--server', url], { cwd: project, env: { PATH: process.env.PATH ?? '', POLYPHONY_ADMIN_TOKEN: ADMIN } })
    expect(listed.stdout).toMatch(/^bot\s+agent/m)

    writeFileSync(
      join(project, 'agent.mjs'),
      [
        "import { connectAgent } from 'polyphony/agents'",
        `const agent = await connectAgent({ url: process.argv[2], workspace: 'w', token: '${AGENT}' })`,
        "agent.createDocument('From the package', 'written by an installed SDK')",
        'await agent.flushed()',
        'console.log(JSON.stringify(agent.documentList()))',
        'agent.close()',
        'process.exit(0)',
      ].join('\n'),
    )
    const { stdout } = await run(process.execPath, ['agent.mjs', url], { cwd: project, timeout: 30_000 })
    expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ title: 'From the package' })])

    // serve runs a bundle (bundleServer.ts): /mcp imports the MCP and agents SDKs from its chunks
    // on the first session, and they read what the SDK wrote.
    const mcp = new Client({ name: 'package-test', version: '1.0.0' })
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp?workspace=w`), { requestInit: { headers: { authorization: `Bearer ${AGENT}` } } }))
    const read = await mcp.callTool({ name: 'read_document', arguments: { doc: 'From the package' } })
    await mcp.close()
    expect(read.isError).toBeFalsy()
    expect(JSON.stringify(read.content)).toContain('written by an installed SDK')
    server.kill('SIGTERM')
  })

  it('the SDK types resolve for a TypeScript consumer', async () => {
    writeFileSync(
      join(project, 'check.ts'),
      [
        "import { connectAgent, type ConnectAgentOptions } from 'polyphony/agents'",
        "const options: ConnectAgentOptions = { url: 'http://127.0.0.1:1', workspace: 'w', token: 't' }",
        '// @ts-expect-error: typed options refuse a number (an untyped import would make this line an error)',
        'void connectAgent(42)',
        'void options',
        '// The README example, type-checked (not run).',
        'export async function readme(token: string): Promise<void> {',
        "  const agent = await connectAgent({ url: 'http://127.0.0.1:8080', workspace: 'demo', token, storeDir: '.agent' })",
        '  for (const { id, title } of agent.documentList()) console.log(id, title)',
        "  agent.annotate('announcement', { quote: 'many experts agree' }, { label: 'vague', comment: 'Which experts?' })",
        "  agent.replace('announcement', { quote: 'many experts agree' }, 'three reviewers agree')",
        "  agent.setStatus('idle', 'reviewed the announcement')",
        '  await agent.flushed()',
        '  agent.close()',
        '}',
      ].join('\n'),
    )
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['ES2022', 'DOM'] },
        files: ['check.ts'],
      }),
    )
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc')
    await expect(run(process.execPath, [tsc, '-p', '.'], { cwd: project })).resolves.toBeDefined()
  })
})
