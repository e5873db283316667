// `polyphony <command>`: serve | agent | team | admin | mcp | export | import.
// Each command is imported when it runs: `polyphony serve` does not load the agents and MCP
// SDKs the other commands need (tens of MB of resident memory for the server's lifetime).

const HELP = `polyphony — a CRDT workspace for people and AI agents

Usage:
  polyphony serve [--demo] [options]     run the server (polyphony serve --help)
  polyphony agent --workspace W ...      attach a reviewing agent (polyphony agent --help)
  polyphony team TEAM.json               run and supervise several agents (polyphony team --help)
  polyphony admin <command> ...          principals, workspaces, members (polyphony admin --help)
  polyphony mcp --workspace W ...        MCP server on stdio for Claude Code, Cursor, ... (polyphony mcp --help)
  polyphony export W > W.json            write a workspace as JSON (polyphony export --help)
  polyphony import W < W.json            import an export into a new or empty workspace (polyphony import --help)`

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'serve': {
      const { main: serve } = await import('../serve.ts')
      await serve(rest)
      return -1 // keeps running until a signal
    }
    case 'agent':
      return (await import('./agentCommand.ts')).agentCommand(rest)
    case 'team':
      return (await import('./teamCommand.ts')).teamCommand(rest)
    case 'admin':
      return (await import('./adminCommand.ts')).adminCommand(rest)
    case 'mcp':
      return (await import('./mcpCommand.ts')).mcpCommand(rest)
    case 'export':
      return (await import('./exportCommand.ts')).exportCommand(rest)
    case 'import':
      return (await import('./importCommand.ts')).importCommand(rest)
    case undefined:
    case '-h':
    case '--help':
      console.log(HELP)
      return command === undefined ? 2 : 0
    default:
      console.error(`unknown command "${command}"\n\n${HELP}`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
