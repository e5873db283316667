// The flags every command that attaches to a workspace shares (`agent`, `mcp`): where the
// server is, which workspace, whose token, each with its environment variable.

/** parseArgs options for --server, --workspace, --token and --help. */
export const CONNECTION_FLAGS = {
  server: { type: 'string' },
  workspace: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const

export const DEFAULT_SERVER = 'http://127.0.0.1:8080'

export type Connection = { server: string; workspace: string; token: string }

/** The connection from flags, else POLYPHONY_URL / POLYPHONY_WORKSPACE / POLYPHONY_TOKEN; or what is missing. */
export function connectionOf(
  v: { server?: string; workspace?: string; token?: string },
  env: Record<string, string | undefined>,
): { ok: true; connection: Connection } | { ok: false; error: string } {
  const workspace = v.workspace ?? env.POLYPHONY_WORKSPACE
  const token = v.token ?? env.POLYPHONY_TOKEN
  if (!workspace) return { ok: false, error: '--workspace is required (or set POLYPHONY_WORKSPACE)' }
  if (!token) return { ok: false, error: '--token is required (or set POLYPHONY_TOKEN)' }
  return { ok: true, connection: { server: (v.server ?? env.POLYPHONY_URL ?? DEFAULT_SERVER).replace(/\/+$/, ''), workspace, token } }
}
