// `polyphony mcp`: an stdio MCP server that is itself a Polyphony agent. stdout carries only
// MCP JSON-RPC; everything else goes to stderr.

import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { connectAgent } from '../../agents/sdk/connectAgent.ts'
import { createMcpServer } from '../../agents/mcp/server.ts'
import { endSession } from '../../agents/mcp/endSession.ts'
import { MCP_HELP, parseMcpOptions } from './mcpOptions.ts'
import { classifyFailure, EXIT } from '../../agents/exitCodes.ts'

export async function mcpCommand(argv: string[], env = process.env): Promise<number> {
  const parsed = parseMcpOptions(argv, env)
  if (!parsed.ok) {
    if (parsed.help) {
      console.log(MCP_HELP)
      return EXIT.ok
    }
    console.error(parsed.error)
    return EXIT.usage
  }
  // From here stdout belongs to JSON-RPC: a stray console.log from any library would corrupt it.
  console.log = console.error
  console.info = console.error
  const opts = parsed.options
  let agent
  try {
    agent = await connectAgent({ url: opts.server, workspace: opts.workspace, token: opts.token, role: 'mcp' })
  } catch (err) {
    const failure = classifyFailure(err)
    console.error(`polyphony mcp: cannot attach to ${opts.server} workspace ${opts.workspace}: ${failure.message}${failure.kind === 'fatal' ? ' (fatal: not retrying)' : ''}`)
    return failure.kind === 'fatal' ? EXIT.fatal : EXIT.error
  }
  agent.setStatus('idle', 'mcp: connected, waiting for the client')
  const server = createMcpServer(agent, { url: opts.server, token: opts.token })
  const transport = new StdioServerTransport()
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve))
  await server.connect(transport)
  console.error(`polyphony mcp: ${agent.principal.id} attached to ${opts.workspace} at ${opts.server}`)
  // The client ends the session by closing stdin (or by a signal).
  process.stdin.once('end', () => void server.close())
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close())
  await closed
  // Writes already returned durable; this only covers presence. A denied session has nothing to flush.
  if (agent.connection !== 'denied') await Promise.race([agent.flushed(), new Promise((r) => setTimeout(r, 3000).unref())])
  await endSession(agent)
  return EXIT.ok
}
