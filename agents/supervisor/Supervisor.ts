// Runs each team member as its own `polyphony agent` process (a crash stays contained),
// restarts crashed members with backoff, gives up on members that keep crashing, and stops
// everyone cleanly. Reassigns no work: task leases do that.

import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { fileURLToPath } from 'node:url'
import { decideRestart, DEFAULT_RESTART_POLICY, type RestartPolicy } from './restartPolicy.ts'
import { agentArgs, expandMembers, type TeamAgent, type TeamFile } from './teamFile.ts'
import { isRetryableExit } from '../exitCodes.ts'

export type MemberState = 'starting' | 'running' | 'restarting' | 'gave-up' | 'stopped'

export interface MemberStatus {
  name: string
  state: MemberState
  restarts: number
  detail?: string
}

// The same entry users run: it registers tsx relative to itself, so members start from any
// working directory (`--import tsx` would resolve tsx from the cwd and fail outside the repo).
// The package's bin: two levels up from the source (agents/supervisor/), three when compiled (dist/agents/supervisor/).
const CLI = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../bin/polyphony.mjs' : '../../../bin/polyphony.mjs', import.meta.url))

export class Supervisor extends EventEmitter {
  readonly #members = new Map<string, { status: MemberStatus; child: ChildProcess | null; crashes: number[]; timer: NodeJS.Timeout | null }>()
  readonly #policy: RestartPolicy
  #stopping = false
  /** Team members after `count` is expanded (worker-1, worker-2, ...). */
  readonly #specs: TeamAgent[]

  constructor(
    private readonly team: TeamFile,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {
    super()
    this.#policy = { ...DEFAULT_RESTART_POLICY, ...team.restart }
    this.#specs = expandMembers(team)
  }

  start(): void {
    for (const a of this.#specs) {
      this.#members.set(a.name, { status: { name: a.name, state: 'starting', restarts: 0 }, child: null, crashes: [], timer: null })
      this.#spawn(a.name)
    }
  }

  statuses(): MemberStatus[] {
    return [...this.#members.values()].map((m) => ({ ...m.status }))
  }

  /** SIGTERM to every member; resolves when all have exited. */
  async stop(): Promise<void> {
    this.#stopping = true
    const exits: Promise<void>[] = []
    for (const m of this.#members.values()) {
      if (m.timer) clearTimeout(m.timer)
      const child = m.child
      if (child && child.exitCode === null && child.signalCode === null) {
        exits.push(new Promise((r) => child.once('exit', () => r())))
        child.kill('SIGTERM')
      }
    }
    await Promise.all(exits)
    for (const m of this.#members.values()) if (m.status.state !== 'gave-up') this.#set(m.status.name, 'stopped')
  }

  #spawn(name: string): void {
    const member = this.#members.get(name)!
    const spec = this.#specs.find((a) => a.name === name)!
    const { args, token } = agentArgs(this.team, spec, this.env)
    const child = spawn(process.execPath, [CLI, 'agent', ...args], {
      env: { ...this.env, POLYPHONY_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    member.child = child
    let lastError = ''
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('"attached"')) this.#set(name, 'running')
      this.emit('output', name, d.toString())
    })
    child.stderr?.on('data', (d: Buffer) => (lastError = telling(d.toString()) ?? lastError))
    child.on('exit', (code, signal) => {
      member.child = null
      if (this.#stopping) return
      const why = `exited with ${signal ?? code}${lastError ? `: ${lastError}` : ''}`
      // A refused token or lost membership stays refused: say so once instead of restarting forever.
      if (signal === null && !isRetryableExit(code)) return this.#set(name, 'gave-up', `fatal, not restarted; ${why}`)
      member.crashes.push(Date.now())
      const decision = decideRestart(member.crashes, Date.now(), this.#policy)
      if (!decision.restart) return this.#set(name, 'gave-up', `${decision.reason}; last: ${why}`)
      member.status.restarts++
      this.#set(name, 'restarting', `${why}; restarting in ${decision.delayMs} ms`)
      member.timer = setTimeout(() => this.#spawn(name), decision.delayMs)
    })
  }

  #set(name: string, state: MemberState, detail?: string): void {
    const m = this.#members.get(name)!
    m.status = { ...m.status, state, detail }
    this.emit('status', { ...m.status })
  }
}

/** The line of a crash report worth showing: the error, not Node's trailing version banner. */
function telling(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Node\.js v\d/.test(l) && !l.startsWith('at '))
  return [...lines].reverse().find((l) => /error|cannot|denied|refused|invalid/i.test(l)) ?? lines.at(-1)
}
