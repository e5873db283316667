// `polyphony team team.json`: run several agents, restart crashed ones, stop on SIGINT.

import { readFileSync } from 'node:fs'
import { Supervisor } from '../../agents/supervisor/Supervisor.ts'
import { TeamFileSchema } from '../../agents/supervisor/teamFile.ts'

export const TEAM_HELP = `polyphony team — run several agents from one file

Usage: polyphony team TEAM.json

TEAM.json:
  { "server": "http://127.0.0.1:8080", "workspace": "demo",
    "agents": [
      { "name": "clarity", "tokenEnv": "CLARITY_TOKEN", "offlineReviewer": "clarity" },
      { "name": "critic", "token": "pp_...", "role": "fact-checker", "model": "claude-sonnet-4-6", "fallback": "claims",
        "instructions": "critic.md", "every": "10m", "maxTokensPerHour": 50000 },
      { "name": "worker", "tokenEnv": "WORKER_{n}_TOKEN", "worker": true, "count": 3 } ],
    "restart": { "maxCrashes": 5, "windowMs": 60000, "baseMs": 500, "capMs": 10000 } }

Each agent runs as its own process; a crashed agent is restarted with backoff, and given up
on (status gave-up) after maxCrashes within windowMs. An agent whose token is refused or that
lost access (exit 4) is given up on at once. "count": N runs N copies (worker-1 ... worker-N),
each with its own token ({n} in tokenEnv). Ctrl-C stops every agent cleanly.`

export async function teamCommand(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0] === '--help' || argv[0] === '-h') {
    console.log(TEAM_HELP)
    return argv.length === 1 ? 0 : 2
  }
  let team
  try {
    team = TeamFileSchema.parse(JSON.parse(readFileSync(argv[0], 'utf8')))
  } catch (err) {
    console.error(`cannot use ${argv[0]}: ${(err as Error).message}`)
    return 2
  }
  const supervisor = new Supervisor(team)
  const log = (fields: Record<string, unknown>) => console.log(JSON.stringify({ time: new Date().toISOString(), ...fields }))
  return new Promise<number>((resolve) => {
    supervisor.on('status', (s) => {
      log({ msg: 'agent status', ...s })
      // Nothing left to supervise: say so and fail, rather than idle (or exit 0) with no agents.
      if (supervisor.statuses().every((m) => m.state === 'gave-up')) {
        log({ msg: 'every agent gave up' })
        resolve(1)
      }
    })
    const stop = () => void supervisor.stop().then(() => resolve(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    supervisor.start()
  })
}
