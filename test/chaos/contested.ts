// Deliberate conflicts: two parties, each unaware of the other, rewrite the same sentence
// (overlapping text edit) and set the same metadata key (map-key overwrite). Both rewrites
// survive in the merged text; one title wins, the same one everywhere.

import * as Y from 'yjs'
import { expectedConflict, type ExpectedConflict } from './expectedConflicts.ts'
import { docText, type TextTarget } from './workload.ts'
import { SHARED } from './harness.ts'

export const CONTESTED_DOC = 'contested'
export const SENTENCE = 'The launch is on March 3.'
export const CONTESTED_TEXT = `${SENTENCE} Everyone agrees on the plan.`

/** Rewrites SENTENCE as `who` would; returns the replacement (unique to `who`). */
export function rewriteSentence(target: TextTarget, who: string): string {
  const replacement = `${who} moved the launch.`
  target.edit((text) => {
    const at = text.toString().indexOf(SENTENCE)
    if (at < 0) throw new Error(`${who} cannot see the contested sentence`)
    text.delete(at, SENTENCE.length)
    text.insert(at, replacement)
  })
  return replacement
}

export function retitle(doc: Y.Doc, who: string): string {
  const title = `Plan according to ${who}`
  doc.transact(() => doc.getMap('meta').set('title', title))
  return title
}

/** Both rewrites present, the original gone; the title is one of the two. */
export function contestedOutcome(doc: Y.Doc, rewrites: string[], titles: string[]): { ok: boolean; text: string; title: unknown } {
  const text = docText(doc, CONTESTED_DOC)
  const title = doc.getMap('meta').get('title')
  const ok = !text.includes(SENTENCE) && rewrites.every((r) => text.includes(r)) && titles.includes(title as string)
  return { ok, text, title }
}

/** The two conflicts the rewrites and titles above produce between `a` and `b`. */
export function contestedConflicts(text: [string, string], title: [string, string]): ExpectedConflict[] {
  return [expectedConflict('overlapping-text-edit', SHARED, ['docs', CONTESTED_DOC], text), expectedConflict('map-key-overwrite', SHARED, ['meta', 'title'], title)]
}
