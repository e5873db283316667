// MCP clients (the official SDK's Client) against a test server: over stdio, spawning
// `polyphony mcp`, or over Streamable HTTP at /mcp.

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { fileURLToPath } from 'node:url'
import { token } from './server.ts'

const BIN = fileURLToPath(new URL('../../bin/polyphony.mjs', import.meta.url))

export interface McpTestClient {
  client: Client
  /** Calls a tool and returns its result (isError results are returned, not thrown). */
  call(name: string, args?: Record<string, unknown>): Promise<McpCallResult>
  close(): Promise<void>
}

export interface McpCallResult {
  isError: boolean
  text: string
  data: Record<string, unknown>
}

/** Spawns `node bin/polyphony.mjs mcp` for `principal` (or a raw token) and connects over stdio. */
export async function connectMcpStdio(server: { url: string }, workspace: string, principal: string, opts: { tokenValue?: string } = {}): Promise<McpTestClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', '--server', server.url, '--workspace', workspace, '--token', opts.tokenValue ?? token(principal)],
    stderr: 'pipe',
  })
  const stderr: string[] = []
  transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()))
  const client = new Client({ name: 'polyphony-test', version: '1.0.0' })
  try {
    await client.connect(transport)
  } catch (err) {
    throw new Error(`polyphony mcp did not start: ${(err as Error).message}\n${stderr.join('')}`)
  }
  return wrap(client)
}

export async function connectMcpHttp(server: { url: string }, workspace: string, principal: string): Promise<McpTestClient> {
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp?workspace=${workspace}`), {
    requestInit: { headers: { authorization: `Bearer ${token(principal)}` } },
  })
  const client = new Client({ name: 'polyphony-test', version: '1.0.0' })
  await client.connect(transport)
  return wrap(client)
}

function wrap(client: Client): McpTestClient {
  return {
    client,
    call: async (name, args = {}) => {
      const r = (await client.callTool({ name, arguments: args })) as CallToolResult
      const text = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')
      return { isError: r.isError === true, text, data: (r.structuredContent ?? {}) as Record<string, unknown> }
    },
    close: () => client.close(),
  }
}
