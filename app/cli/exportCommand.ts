// `polyphony export W > w.json`: everything the token's principal may read in workspace W, as
// JSON on stdout (GET /api/workspaces/W/export). Errors go to stderr with the server's message.

import { parseArgs } from 'node:util'

export const EXPORT_HELP = `polyphony export — write a workspace as JSON to stdout

Usage: polyphony export W [--server URL] [--token T] > W.json

Options (environment variable in brackets):
  --server URL   Polyphony server (default http://127.0.0.1:8080)   [POLYPHONY_URL]
  --token T      your token                                        [POLYPHONY_TOKEN]
  -h, --help     show this help

The export holds the documents (id, title, text), the annotations, proposals and notes of the
namespaces you may read with their review decisions, tasks and conflicts.`

export async function exportCommand(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { server: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${EXPORT_HELP}`)
    return 2
  }
  if (parsed.values.help) {
    console.log(EXPORT_HELP)
    return 0
  }
  const [workspace, ...extra] = parsed.positionals
  const token = parsed.values.token ?? env.POLYPHONY_TOKEN
  if (!workspace || extra.length > 0) {
    console.error(`name one workspace to export, e.g. polyphony export demo > demo.json\n\n${EXPORT_HELP}`)
    return 2
  }
  if (!token) {
    console.error('no token: pass --token T or set POLYPHONY_TOKEN')
    return 2
  }
  const server = (parsed.values.server ?? env.POLYPHONY_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '')
  let res: Response
  try {
    res = await fetch(`${server}/api/workspaces/${encodeURIComponent(workspace)}/export`, { headers: { authorization: `Bearer ${token}` } })
  } catch (err) {
    console.error(`could not reach ${server}: ${(err as Error).message} (is the server running? set --server)`)
    return 1
  }
  const body = await res.text()
  if (!res.ok) {
    let message = body
    try {
      message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? body
    } catch {
      // not JSON: print it as it came
    }
    console.error(`export of ${workspace} failed (${res.status}): ${message}`)
    return 1
  }
  process.stdout.write(body.endsWith('\n') ? body : body + '\n')
  return 0
}
