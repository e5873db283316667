// zod at the HTTP edge: a body, query or path parameter that does not parse is a 400 that says
// what is wrong. Every JSON body goes through jsonBody (or readJson when it is passed on whole)
// and so through parseJsonText: one parser, size bounded by the body limit middleware, depth
// bounded here.

import type { Context } from 'hono'
import type { z } from 'zod'
import { badRequest } from '../errors.ts'
import { jsonDeeperThan } from './jsonDepth.ts'
import { DEFAULT_HTTP_LIMITS } from './limits.ts'
import type { ApiEnv } from './env.ts'

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')
}

/** Parses a request body's text; `undefined` for an empty body. 400 on bad or too deep JSON. */
export function parseJsonText(text: string, maxDepth = DEFAULT_HTTP_LIMITS.maxJsonDepth): unknown {
  if (text.trim() === '') return undefined
  if (jsonDeeperThan(text, maxDepth)) throw badRequest(`body nests deeper than ${maxDepth} levels of arrays/objects: flatten it`)
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw badRequest('body must be JSON (Content-Type: application/json)')
  }
}

/** The request body as JSON (undefined when empty), within the server's depth limit. */
export async function readJson(c: Context): Promise<unknown> {
  const limits = (c as Context<ApiEnv>).get('httpLimits')
  return parseJsonText(await c.req.text(), limits?.maxJsonDepth)
}

export interface BodyOptions<S extends z.ZodType> {
  /** Taken for an empty body (validated like a sent one); without it an empty body is a 400. */
  ifEmpty?: z.input<S>
  /** Replaces the schema's description of what is wrong, e.g. for a body that must be `{}`. */
  invalid?: string | ((error: z.ZodError) => string)
}

/** The request body as JSON, validated by `schema`; a 400 that says what is wrong otherwise. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S, opts: BodyOptions<S> = {}): Promise<z.infer<S>> {
  const raw = (await readJson(c)) ?? opts.ifEmpty
  if (raw === undefined) throw badRequest('body must be JSON (Content-Type: application/json)')
  return validated(schema, raw, opts.invalid)
}

export function queryOf<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return validated(schema, c.req.query())
}

/** The route's path parameters, validated by `schema`. */
export function paramsOf<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return validated(schema, c.req.param())
}

function validated<S extends z.ZodType>(schema: S, raw: unknown, invalid?: BodyOptions<S>['invalid']): z.infer<S> {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return parsed.data
  throw badRequest(invalid === undefined ? describe(parsed.error) : typeof invalid === 'string' ? invalid : invalid(parsed.error))
}
