// `polyphony import W < W.json`: an export (polyphony export) into the new or empty workspace W
// (POST /api/workspaces/W/import; owners). Reads the export from stdin or --file; the server
// checks it whole and refuses it whole with a message saying what to fix. Prints what was imported.

import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'

export const IMPORT_HELP = `polyphony import — import a workspace export into a new or empty workspace

Usage: polyphony import W [--server URL] [--token T] < W.json
       polyphony import W --file W.json

Options (environment variable in brackets):
  --server URL   Polyphony server (default http://127.0.0.1:8080)   [POLYPHONY_URL]
  --token T      an owner's token for W                            [POLYPHONY_TOKEN]
  --file PATH    read the export from PATH instead of stdin
  -h, --help     show this help

Imports documents, promoted notes, each namespace's annotations, proposals and notes with the
review decisions and replies about them, and tasks. W must have no documents, tasks or readings
yet, and every namespace owner in the export must be a member of W. Anything wrong refuses the
whole import and nothing is written. Conflict records are not imported (they are the source
server's log). The body may be at most the server's --max-body-bytes.`

/** Largest export read from stdin or a file (the server's own body limit is at most this). */
const MAX_INPUT_BYTES = 256 * 1024 * 1024

export async function importCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  stdin: AsyncIterable<Buffer | string> | Iterable<Buffer | string> = process.stdin,
): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { server: { type: 'string' }, token: { type: 'string' }, file: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    })
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${IMPORT_HELP}`)
    return 2
  }
  if (parsed.values.help) {
    console.log(IMPORT_HELP)
    return 0
  }
  const [workspace, ...extra] = parsed.positionals
  const token = parsed.values.token ?? env.POLYPHONY_TOKEN
  if (!workspace || extra.length > 0) {
    console.error(`name one workspace to import into, e.g. polyphony import demo2 < demo.json\n\n${IMPORT_HELP}`)
    return 2
  }
  if (!token) {
    console.error('no token: pass --token T or set POLYPHONY_TOKEN')
    return 2
  }
  let body: string
  try {
    body = parsed.values.file ? await readFile(parsed.values.file, 'utf8') : await readAll(stdin)
  } catch (err) {
    console.error(`could not read the export: ${(err as Error).message}`)
    return 1
  }
  if (body.length > MAX_INPUT_BYTES) {
    console.error(`the export is larger than ${MAX_INPUT_BYTES} bytes: it cannot be imported in one request`)
    return 1
  }
  if (body.trim() === '') {
    console.error(`no export given: pipe one in (polyphony import ${workspace} < ${workspace}.json) or pass --file\n\n${IMPORT_HELP}`)
    return 2
  }
  const server = (parsed.values.server ?? env.POLYPHONY_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '')
  let res: Response
  try {
    res = await fetch(`${server}/api/workspaces/${encodeURIComponent(workspace)}/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    })
  } catch (err) {
    console.error(`could not reach ${server}: ${(err as Error).message} (is the server running? set --server)`)
    return 1
  }
  const answer = await res.text()
  if (!res.ok) {
    let message = answer
    try {
      message = (JSON.parse(answer) as { error?: { message?: string } }).error?.message ?? answer
    } catch {
      // not JSON: print it as it came
    }
    const hint = res.status === 413 ? ' (an export larger than the server accepts: start it with a higher --max-body-bytes for the import)' : ''
    console.error(`import into ${workspace} failed (${res.status}): ${message}${hint}`)
    return 1
  }
  const { imported, skipped } = JSON.parse(answer) as { imported: Record<string, number>; skipped: string[] }
  const counts = Object.entries(imported).map(([what, n]) => `${n} ${what}`)
  console.log(`imported into ${workspace}: ${counts.join(', ')}${skipped.length > 0 ? ` (not imported: ${skipped.join(', ')})` : ''}`)
  return 0
}

async function readAll(stream: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    size += b.length
    if (size > MAX_INPUT_BYTES) throw new Error(`more than ${MAX_INPUT_BYTES} bytes on stdin`)
    chunks.push(b)
  }
  return Buffer.concat(chunks).toString('utf8')
}
