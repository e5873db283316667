// `polyphony mcp` flags and environment → options (pure, testable).

import { parseArgs } from 'node:util'
import { CONNECTION_FLAGS, connectionOf } from './connectionFlags.ts'
import type { Parsed } from './agentOptions.ts'

export const MCP_HELP = `polyphony mcp — an MCP server (stdio) that attaches any MCP client to a workspace

Usage: polyphony mcp --workspace W --token T [options]

Speaks the Model Context Protocol on stdin/stdout (logs go to stderr) and acts as one
Polyphony agent: presence with a status, durable writes, own namespace, task leases.

Options (environment variable in brackets):
  --server URL      Polyphony server (default http://127.0.0.1:8080)   [POLYPHONY_URL]
  --workspace W     workspace id                                     [POLYPHONY_WORKSPACE]
  --token T         the principal's token                            [POLYPHONY_TOKEN]
  -h, --help        show this help

Exit codes: 0 the client closed the session, 1 retryable (server unreachable), 2 usage,
4 fatal (token refused or revoked, no access to the workspace).

Claude Code:  claude mcp add polyphony -- npx polyphony mcp --server URL --workspace W --token T`

export interface McpOptions {
  server: string
  workspace: string
  token: string
}

export function parseMcpOptions(argv: string[], env: Record<string, string | undefined>): Parsed<McpOptions> {
  let v
  try {
    v = parseArgs({
      args: argv,
      options: CONNECTION_FLAGS,
    }).values
  } catch (err) {
    return { ok: false, help: false, error: `${(err as Error).message}\nRun polyphony mcp --help for the options.` }
  }
  if (v.help) return { ok: false, help: true }
  const connection = connectionOf(v, env)
  return connection.ok ? { ok: true, options: connection.connection } : { ok: false, help: false, error: connection.error }
}
