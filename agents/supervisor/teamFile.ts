// team.json: several agents run from one file.

import * as z from 'zod'

export const TeamAgentSchema = z
  .object({
    name: z.string().min(1).max(64),
    /** The agent's token, or the name of an environment variable holding it. */
    token: z.string().min(1).optional(),
    tokenEnv: z.string().min(1).optional(),
    role: z.enum(['reviewer', 'fact-checker', 'summarizer', 'editor', 'arbiter']).optional(),
    model: z.string().optional(),
    offlineReviewer: z.enum(['clarity', 'claims']).optional(),
    fallback: z.enum(['clarity', 'claims', 'pause']).optional(),
    docs: z.array(z.string()).optional(),
    storeDir: z.string().optional(),
    /** This member's server, when not the team's. */
    server: z.string().url().optional(),
    /** Take tasks from the board (`--worker`). */
    worker: z.boolean().optional(),
    leaseMs: z.number().int().min(100).max(600_000).optional(),
    /** Persona file (`--instructions`), relative to the working directory. */
    instructions: z.string().min(1).optional(),
    /** Schedule (`--every`), e.g. "10m". */
    every: z.string().optional(),
    maxTokensPerHour: z.number().int().positive().optional(),
    /** Run this many copies (name-1 ... name-N), each its own principal: {n} in tokenEnv (and storeDir) is the copy number. */
    count: z.number().int().min(1).max(16).optional(),
  })
  .refine((a) => a.token || a.tokenEnv, { message: 'each agent needs token or tokenEnv' })
  .refine((a) => (a.count ?? 1) === 1 || (a.tokenEnv?.includes('{n}') && !a.token), {
    message: 'count > 1 needs one token per copy: use tokenEnv with {n} (e.g. "WORKER_{n}_TOKEN"); copies sharing a principal would take over each other\'s leases',
  })

export const TeamFileSchema = z.object({
  server: z.string().url().optional(),
  workspace: z.string().min(1),
  agents: z.array(TeamAgentSchema).min(1),
  restart: z.object({ maxCrashes: z.number().int().positive(), windowMs: z.number().positive(), baseMs: z.number().positive(), capMs: z.number().positive() }).partial().optional(),
})

export type TeamFile = z.infer<typeof TeamFileSchema>
export type TeamAgent = z.infer<typeof TeamAgentSchema>

/** The members to run: each entry with `count` becomes name-1 ... name-N, {n} filled in. */
export function expandMembers(team: TeamFile): TeamAgent[] {
  return team.agents.flatMap((a) => {
    const n = a.count ?? 1
    if (n === 1) return [a]
    return Array.from({ length: n }, (_, i) => {
      const fill = (s: string | undefined) => s?.replaceAll('{n}', String(i + 1))
      return { ...a, count: 1, name: `${a.name}-${i + 1}`, tokenEnv: fill(a.tokenEnv), storeDir: fill(a.storeDir) }
    })
  })
}

/** The `polyphony agent` arguments for one team member. */
export function agentArgs(team: TeamFile, a: TeamAgent, env: Record<string, string | undefined>): { args: string[]; token: string } {
  const token = a.token ?? env[a.tokenEnv ?? ''] ?? ''
  const args = ['--workspace', team.workspace]
  const server = a.server ?? team.server
  if (server) args.push('--server', server)
  if (a.role) args.push('--role', a.role)
  if (a.model) args.push('--model', a.model)
  if (a.offlineReviewer) args.push('--offline-reviewer', a.offlineReviewer)
  if (a.fallback) args.push('--fallback', a.fallback)
  if (a.storeDir) args.push('--store', a.storeDir)
  for (const d of a.docs ?? []) args.push('--doc', d)
  if (a.worker) args.push('--worker')
  if (a.leaseMs !== undefined) args.push('--lease-ms', String(a.leaseMs))
  if (a.instructions) args.push('--instructions', a.instructions)
  if (a.every) args.push('--every', a.every)
  if (a.maxTokensPerHour !== undefined) args.push('--max-tokens-per-hour', String(a.maxTokensPerHour))
  return { args, token }
}
