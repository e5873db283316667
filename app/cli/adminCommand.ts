// `polyphony admin ...`: manage principals, workspaces and members of a running server
// through its HTTP API, as the administrator (POLYPHONY_ADMIN_TOKEN).

import { parseArgs } from 'node:util'
import { ApiClient, ApiRequestError } from '../../shared/api/index.ts'
import { PRINCIPAL_KINDS, ROLES, VISIBILITIES } from '../../shared/model.ts'

export const ADMIN_HELP = `polyphony admin — manage a running server as its administrator

Usage: polyphony admin <command> [arguments] [--server URL] [--json]

Commands:
  principal create ID --kind human|agent|service [--name NAME]   prints the new token (shown once)
  principal list                                                 every principal, revoked or not
  principal revoke ID                                            disables its token, closes its sockets
  principal rotate ID                                            issues a new token (the old one stops working)
  workspace create ID [--title T] [--visibility private|team|blind-until-submitted]
  member add WORKSPACE PRINCIPAL --role owner|editor|reviewer|viewer   (also changes a role)
  member remove WORKSPACE PRINCIPAL
  member list WORKSPACE

Options:
  --server URL   the server (default http://127.0.0.1:8080)   [POLYPHONY_URL]
  --json         print the server's JSON answer
  -h, --help     this help; \`polyphony admin <command> --help\` for one command

The administrator token comes from POLYPHONY_ADMIN_TOKEN (the one the server was started with).`

interface Command {
  usage: string
  /** Positional arguments, by name. */
  args: string[]
  options?: Record<string, { type: 'string' }>
  run(api: ApiClient, a: Record<string, string>, o: Record<string, string | undefined>): Promise<{ json: unknown; lines: string[] }>
}

/** Narrows a command-line string to one of the values a list allows. */
const isOneOf = <T extends string>(values: readonly T[], value: string | undefined): value is T => (values as readonly string[]).includes(value ?? '')

const COMMANDS: Record<string, Command> = {
  'principal create': {
    usage: 'polyphony admin principal create ID --kind human|agent|service [--name NAME]',
    args: ['id'],
    options: { kind: { type: 'string' }, name: { type: 'string' } },
    async run(api, a, o) {
      if (!o.kind) throw new UsageError(`--kind is required: one of ${PRINCIPAL_KINDS.join(', ')}`)
      if (!isOneOf(PRINCIPAL_KINDS, o.kind)) throw new UsageError(`--kind must be one of ${PRINCIPAL_KINDS.join(', ')}, got "${o.kind}"`)
      const created = await api.createPrincipal({ id: a.id, kind: o.kind, ...(o.name ? { name: o.name } : {}) })
      return { json: created, lines: [`created ${created.id}`, `token: ${created.token}`, '(shown once: store it now)'] }
    },
  },
  'principal list': {
    usage: 'polyphony admin principal list',
    args: [],
    async run(api) {
      const { principals } = await api.principals()
      return {
        json: { principals },
        lines: principals.map((p) => [p.id.padEnd(24), p.kind.padEnd(8), p.name, p.admin ? '(admin)' : '', p.revoked ? '(revoked)' : ''].filter(Boolean).join(' ')),
      }
    },
  },
  'principal revoke': {
    usage: 'polyphony admin principal revoke ID',
    args: ['id'],
    async run(api, a) {
      const r = await api.revokePrincipal(a.id)
      return { json: r, lines: [`revoked ${r.id} (closed ${r.closedSockets} sockets)`] }
    },
  },
  'principal rotate': {
    usage: 'polyphony admin principal rotate ID',
    args: ['id'],
    async run(api, a) {
      const r = await api.rotateToken(a.id)
      return { json: r, lines: [`new token for ${r.id}: ${r.token}`, `(the old token no longer works; closed ${r.closedSockets} sockets)`] }
    },
  },
  'workspace create': {
    usage: 'polyphony admin workspace create ID [--title T] [--visibility private|team|blind-until-submitted]',
    args: ['id'],
    options: { title: { type: 'string' }, visibility: { type: 'string' } },
    async run(api, a, o) {
      if (o.visibility && !isOneOf(VISIBILITIES, o.visibility)) {
        throw new UsageError(`--visibility must be one of ${VISIBILITIES.join(', ')}, got "${o.visibility}"`)
      }
      const visibility = isOneOf(VISIBILITIES, o.visibility) ? o.visibility : undefined
      const ws = await api.createWorkspace({
        id: a.id,
        ...(o.title ? { title: o.title } : {}),
        ...(visibility ? { visibility } : {}),
      })
      return { json: ws, lines: [`created workspace ${ws.id} "${ws.title}" (${ws.visibility})`, `add members: polyphony admin member add ${ws.id} PRINCIPAL --role owner`] }
    },
  },
  'member add': {
    usage: 'polyphony admin member add WORKSPACE PRINCIPAL --role owner|editor|reviewer|viewer',
    args: ['workspace', 'principal'],
    options: { role: { type: 'string' } },
    async run(api, a, o) {
      if (!isOneOf(ROLES, o.role)) throw new UsageError(`--role is required: one of ${ROLES.join(', ')}`)
      const r = await api.setMemberRole(a.workspace, a.principal, o.role)
      return { json: r, lines: [`${r.principal} is ${r.role} of ${r.workspace}`] }
    },
  },
  'member remove': {
    usage: 'polyphony admin member remove WORKSPACE PRINCIPAL',
    args: ['workspace', 'principal'],
    async run(api, a) {
      const r = await api.removeMember(a.workspace, a.principal)
      return { json: r, lines: [`removed ${r.principal} from ${r.workspace} (closed ${r.closedSockets} sockets)`] }
    },
  },
  'member list': {
    usage: 'polyphony admin member list WORKSPACE',
    args: ['workspace'],
    async run(api, a) {
      const ws = await api.workspace(a.workspace)
      return { json: { workspace: ws.id, members: ws.members }, lines: ws.members.map((m) => `${m.id.padEnd(24)} ${m.role}`) }
    },
  },
}

class UsageError extends Error {}

/** A server that accepts the connection but never answers must not hang the command. */
const REQUEST_TIMEOUT_MS = 15_000

export async function adminCommand(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const [group, action] = argv
  if (group === undefined || group === '-h' || group === '--help') {
    console.log(ADMIN_HELP)
    return group === undefined ? 2 : 0
  }
  const name = `${group} ${action ?? ''}`.trim()
  const command = COMMANDS[name]
  if (!command) {
    const known = Object.keys(COMMANDS).filter((k) => k.startsWith(`${group} `))
    const hint =
      known.length > 0
        ? `"${group}" takes: ${known.map((k) => k.split(' ')[1]).join(', ')}`
        : `commands: ${[...new Set(Object.keys(COMMANDS).map((k) => k.split(' ')[0]))].join(', ')}`
    console.error(`unknown admin command "${name}" (${hint})\nRun polyphony admin --help for every command.`)
    return 2
  }
  let values: Record<string, string | boolean | undefined>
  let positionals: string[]
  try {
    const parsed = parseArgs({
      args: argv.slice(2),
      options: { ...command.options, server: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
    })
    values = parsed.values
    positionals = parsed.positionals
  } catch (err) {
    console.error(`${(err as Error).message}\nUsage: ${command.usage}`)
    return 2
  }
  if (values.help) {
    console.log(
      `Usage: ${command.usage}\n\nOptions: --server URL (default http://127.0.0.1:8080) [POLYPHONY_URL], --json\nThe administrator token comes from POLYPHONY_ADMIN_TOKEN.`,
    )
    return 0
  }
  if (positionals.length !== command.args.length) {
    console.error(
      `expected ${command.args.length ? command.args.map((a) => a.toUpperCase()).join(' ') : 'no arguments'}, got ${positionals.length ? positionals.join(' ') : 'none'}\nUsage: ${command.usage}`,
    )
    return 2
  }
  const token = env.POLYPHONY_ADMIN_TOKEN
  if (!token) {
    console.error('POLYPHONY_ADMIN_TOKEN is not set: export the administrator token the server was started with')
    return 2
  }
  const server = (typeof values.server === 'string' ? values.server : (env.POLYPHONY_URL ?? 'http://127.0.0.1:8080')).replace(/\/+$/, '')
  const args = Object.fromEntries(command.args.map((n, i) => [n, positionals[i]]))
  const options = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string'))
  try {
    const out = await command.run(new ApiClient({ baseUrl: server, token, timeoutMs: REQUEST_TIMEOUT_MS }), args, options)
    console.log(values.json ? JSON.stringify(out.json, null, 2) : out.lines.join('\n'))
    return 0
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\nUsage: ${command.usage}`)
      return 2
    }
    if (err instanceof ApiRequestError) {
      console.error(explain(err, server))
      return 1
    }
    throw err
  }
}

function explain(err: ApiRequestError, server: string): string {
  if (err.code === 'unreachable') return `${err.message}\nIs the server running there? Pass --server URL (or set POLYPHONY_URL).`
  if (err.status === 401) return `the server at ${server} refused the token: set POLYPHONY_ADMIN_TOKEN to the administrator token it was started with`
  if (err.status === 403) return `${err.message}: the token is not an administrator's; use the one the server was started with (POLYPHONY_ADMIN_TOKEN)`
  return `${err.message} (HTTP ${err.status} ${err.code})`
}
