// zod at the HTTP edge: a body or query that does not parse is a 400 that says what is wrong.

import type { Context } from 'hono'
import type { z } from 'zod'
import { badRequest } from './errors.ts'

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')
}

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown
  try {
    raw = await c.req.json()
  } catch {
    throw badRequest('body must be JSON (Content-Type: application/json)')
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) throw badRequest(describe(parsed.error))
  return parsed.data
}

export function queryOf<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query())
  if (!parsed.success) throw badRequest(describe(parsed.error))
  return parsed.data
}
