// team.json: several agents run from one file.

import { z } from 'zod'

export const TeamAgentSchema = z
  .object({
    name: z.string().min(1).max(64),
    /** The agent's token, or the name of an environment variable holding it. */
    token: z.string().min(1).optional(),
    tokenEnv: z.string().min(1).optional(),
    role: z.enum(['reviewer', 'fact-checker', 'summarizer', 'editor']).optional(),
    model: z.string().optional(),
    offlineReviewer: z.enum(['clarity', 'claims']).optional(),
    fallback: z.enum(['clarity', 'claims', 'pause']).optional(),
    docs: z.array(z.string()).optional(),
    storeDir: z.string().optional(),
  })
  .refine((a) => a.token || a.tokenEnv, { message: 'each agent needs token or tokenEnv' })

export const TeamFileSchema = z.object({
  server: z.string().url().optional(),
  workspace: z.string().min(1),
  agents: z.array(TeamAgentSchema).min(1),
  restart: z
    .object({ maxCrashes: z.number().int().positive(), windowMs: z.number().positive(), baseMs: z.number().positive(), capMs: z.number().positive() })
    .partial()
    .optional(),
})

export type TeamFile = z.infer<typeof TeamFileSchema>
export type TeamAgent = z.infer<typeof TeamAgentSchema>

/** The `polyphony agent` arguments for one team member. */
export function agentArgs(team: TeamFile, a: TeamAgent, env: Record<string, string | undefined>): { args: string[]; token: string } {
  const token = a.token ?? env[a.tokenEnv ?? ''] ?? ''
  const args = ['--workspace', team.workspace]
  if (team.server) args.push('--server', team.server)
  if (a.role) args.push('--role', a.role)
  if (a.model) args.push('--model', a.model)
  if (a.offlineReviewer) args.push('--offline-reviewer', a.offlineReviewer)
  if (a.fallback) args.push('--fallback', a.fallback)
  if (a.storeDir) args.push('--store', a.storeDir)
  for (const d of a.docs ?? []) args.push('--doc', d)
  return { args, token }
}
