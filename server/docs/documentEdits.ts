// Edits of one shared text for the document REST API, applied inside Room.writeAsServer so they
// are attributed to the caller and pass the conflict detector like any other write.
//
// Two ways to say where: by quote (found in the text as it is when the write runs; exactly one
// exact occurrence, else refused with candidates), or by range with the version it was
// computed against (mapped through everything written since; refused with what changed when
// the range's own characters did).

import type * as Y from 'yjs'
import { DomainError, badRequest } from '../errors.ts'
import { describeCandidates, locateQuote, type QuoteQuery } from '../../shared/anchoring/locateQuote.ts'
import { checkTitle, createDocument, documentText, renameDocument } from '../../shared/documents.ts'
import { rangeAtVersion, rangeNow, type VersionedRange } from './version.ts'

export type EditRequest = { quote: QuoteQuery; text: string } | { from: number; to: number; text: string }

/** An edit ready to run in the write: quotes as given, ranges already tied to characters. */
export type PreparedEdit = { kind: 'quote'; quote: QuoteQuery; text: string } | { kind: 'range'; range: VersionedRange; from: number; to: number; text: string }

/** Ties every range edit to the characters it named at `snap` (the caller's version). */
export function prepareEdits(text: Y.Text, snap: Y.Snapshot | null, edits: EditRequest[]): PreparedEdit[] {
  return edits.map((e, i) => {
    if ('quote' in e) return { kind: 'quote', quote: e.quote, text: e.text }
    if (!snap) throw badRequest(`edits[${i}] is a range edit: send the version you computed it against (the "version" field of GET .../docs/:id)`)
    const range = rangeAtVersion(text, snap, e.from, e.to)
    if ('outOfRange' in range) {
      throw badRequest(`edits[${i}]: range ${e.from}..${e.to} does not fit the text at that version (length ${range.outOfRange}; from must be <= to)`)
    }
    return { kind: 'range', range, from: e.from, to: e.to, text: e.text }
  })
}

export interface AppliedEdit {
  /** Where the new text of the edit is in the document after the write. */
  start: number
  end: number
}

/** Applies the edits to document `id` of `doc` (a writeAsServer scratch copy); all or none. */
export function applyEdits(doc: Y.Doc, id: string, edits: PreparedEdit[]): AppliedEdit[] {
  const text = documentText(doc, id)
  if (!text) throw new DomainError('not_found', 'not_found', `no document ${id}: create it with PUT`)
  const current = text.toString()
  const spans = edits.map((e, i) => ({ ...locate(text, current, e, i), text: e.text, index: i }))
  const ordered = [...spans].sort((a, b) => a.start - b.start || a.end - b.end)
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i].start < ordered[i - 1].end) {
      throw badRequest(`edits[${ordered[i - 1].index}] and edits[${ordered[i].index}] overlap (${ordered[i - 1].start}..${ordered[i - 1].end} and ${ordered[i].start}..${ordered[i].end}): merge them into one edit`)
    }
  }
  // Back to front, so earlier offsets stay valid while later ones change.
  for (const s of [...ordered].reverse()) {
    if (s.end > s.start) text.delete(s.start, s.end - s.start)
    if (s.text) text.insert(s.start, s.text)
  }
  const applied: AppliedEdit[] = Array.from({ length: spans.length }, () => ({ start: 0, end: 0 }))
  let shift = 0
  for (const s of ordered) {
    applied[s.index] = { start: s.start + shift, end: s.start + shift + s.text.length }
    shift += s.text.length - (s.end - s.start)
  }
  return applied
}

function locate(text: Y.Text, current: string, edit: PreparedEdit, i: number): { start: number; end: number } {
  if (edit.kind === 'quote') {
    const found = locateQuote(current, edit.quote)
    if (found.kind === 'found') return found
    const quoted = `"${edit.quote.exact.slice(0, 60)}"`
    if (found.kind === 'ambiguous') {
      throw new DomainError('conflict', 'quote_ambiguous', `edits[${i}]: ${quoted} occurs more than once: add prefix or suffix to pick one (${describeCandidates(found.candidates)})`, {
        edit: i,
        candidates: found.candidates,
      })
    }
    const near = found.candidates.length > 0 ? ` Closest: ${describeCandidates(found.candidates)}` : ''
    throw new DomainError('conflict', 'quote_not_found', `edits[${i}]: ${quoted} is not in the document with that prefix/suffix; re-read it and quote its current text.${near}`, {
      edit: i,
      candidates: found.candidates,
    })
  }
  const now = rangeNow(text, edit.range)
  if (!now) throw new DomainError('conflict', 'changed', `edits[${i}]: the text that range ${edit.from}..${edit.to} named is gone (the document was replaced); re-read it`, { edit: i })
  if (now.changed) {
    throw new DomainError('conflict', 'changed', `edits[${i}]: someone changed range ${edit.from}..${edit.to} since your version; re-read the document and edit its current text`, {
      edit: i,
      was: edit.range.was,
      now: { start: now.around.start, end: now.around.end, text: current.slice(now.around.start, now.around.end) },
    })
  }
  return { start: now.start, end: now.end }
}

/**
 * Creates document `id` with `content`, or replaces its whole text. Only the part that differs
 * is rewritten (common start and end kept), so concurrent edits elsewhere and annotations on
 * unchanged text survive. Returns whether the document was created.
 */
export function putDocument(doc: Y.Doc, id: string, content: string, title: string | undefined): { created: boolean } {
  const text = documentText(doc, id)
  if (title !== undefined) {
    const problem = checkTitle(doc, title, text ? id : undefined)
    if (problem) throw badRequest(`title: ${problem}`)
  }
  if (!text) {
    createDocument(doc, title ?? id, content, id)
    return { created: true }
  }
  const old = text.toString()
  let head = 0
  while (head < old.length && head < content.length && old[head] === content[head]) head++
  let tail = 0
  while (tail < old.length - head && tail < content.length - head && old[old.length - 1 - tail] === content[content.length - 1 - tail]) tail++
  // Never split a surrogate pair between the kept and the rewritten part.
  if (head > 0 && isHighSurrogate(old.charCodeAt(head - 1))) head--
  if (tail > 0 && isHighSurrogate(old.charCodeAt(old.length - 1 - tail))) tail--
  if (old.length - head - tail > 0) text.delete(head, old.length - head - tail)
  if (content.length - head - tail > 0) text.insert(head, content.slice(head, content.length - tail))
  if (title !== undefined) renameDocument(doc, id, title)
  return { created: false }
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff
