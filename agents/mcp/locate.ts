// Finding the span a tool call names by quote, or a refusal that lists what the caller can
// send instead (the candidates with their context, or the nearest approximate spans).

import type { Agent } from '../sdk/Agent.ts'
import { locateQuote } from '../../shared/anchoring/index.ts'
import { ToolRefusal } from './context.ts'

/** What a tool call names: the exact words, with optional text right before and after them. */
export interface QuoteTarget {
  quote: string
  prefix?: string
  suffix?: string
}

export interface Located {
  id: string
  start: number
  end: number
  text: string
}

export function locate(agent: Agent, doc: string, target: QuoteTarget): Located {
  const id = agent.documentId(doc)
  const text = agent.read(id)
  const where = locateQuote(text, { exact: target.quote, prefix: target.prefix, suffix: target.suffix })
  const short = JSON.stringify(target.quote.length > 60 ? `${target.quote.slice(0, 60)}…` : target.quote)
  if (where.kind === 'ambiguous') {
    throw new ToolRefusal(
      `${short} occurs ${where.total} times in ${agent.title(id)} [${id}]; repeat the call with prefix and/or suffix (the text right before/after it) taken from one of the candidates`,
      { reason: 'ambiguous', candidates: where.candidates, total: where.total },
    )
  }
  if (where.kind === 'missing') {
    const hint = where.candidates.length ? '; the closest passages are in suggestions — quote one of them exactly' : '; call read_document for the current text'
    const context = target.prefix || target.suffix ? ' with that prefix/suffix' : ''
    throw new ToolRefusal(`${short} is not in ${agent.title(id)} [${id}]${context}${hint}`, { reason: 'missing', suggestions: where.candidates })
  }
  return { id, start: where.start, end: where.end, text }
}
