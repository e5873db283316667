// Proposed edits shown in the text as suggested changes: the words it would replace struck
// through, the replacement right after them, and, for people the review policy lets decide,
// Accept and Reject in place. The decision goes through the review API like everywhere else.

import { StateEffect, StateField, type Range } from '@codemirror/state'
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view'

export interface Suggestion {
  id: string
  author: string
  authorName: string
  from: number
  to: number
  replacement: string
  rationale: string
  /** Whether this viewer may accept / reject (shared/review policy, decided by the caller). */
  canAccept: boolean
  canReject: boolean
}

export type SuggestionVerb = 'accept' | 'reject'
export type OnSuggestion = (verb: SuggestionVerb, author: string, id: string) => void

export const setSuggestions = StateEffect.define<{ list: Suggestion[]; act: OnSuggestion }>()

class Insertion extends WidgetType {
  constructor(
    readonly s: Suggestion,
    readonly act: OnSuggestion,
  ) {
    super()
  }
  override eq(other: Insertion): boolean {
    const a = this.s
    const b = other.s
    return a.id === b.id && a.author === b.author && a.replacement === b.replacement && a.canAccept === b.canAccept && a.canReject === b.canReject
  }
  toDOM(): HTMLElement {
    const wrap = document.createElement('span')
    wrap.className = 'pp-suggestion'
    wrap.dataset.proposal = this.s.id
    wrap.dataset.author = this.s.author
    wrap.title = `Suggested by ${this.s.authorName}${this.s.rationale ? `: ${this.s.rationale}` : ''}`
    const ins = document.createElement('ins')
    ins.className = 'pp-suggest-ins'
    // Drawn by CSS from attributes, so the suggestion never becomes part of the document's
    // text (copying, search, anything reading the editor's text sees only the real words).
    ins.dataset.text = this.s.replacement
    wrap.append(ins)
    const button = (verb: SuggestionVerb, label: string, text: string): void => {
      const b = document.createElement('button')
      b.type = 'button'
      b.className = `pp-suggest-${verb}`
      b.dataset.text = text
      b.setAttribute('aria-label', `${label} ${this.s.authorName}’s suggestion “${this.s.replacement}”`)
      b.addEventListener('mousedown', (e) => e.preventDefault()) // keep the editor's selection
      b.addEventListener('click', () => this.act(verb, this.s.author, this.s.id))
      wrap.append(b)
    }
    if (this.s.canAccept) button('accept', 'Accept', '✓')
    if (this.s.canReject) button('reject', 'Reject', '✕')
    return wrap
  }
  // Clicks on the buttons are ours, not the editor's.
  override ignoreEvent(): boolean {
    return true
  }
}

function build({ list, act }: { list: Suggestion[]; act: OnSuggestion }, length: number): DecorationSet {
  const ranges: Range<Decoration>[] = []
  for (const s of list) {
    if (s.from < 0 || s.to > length || s.from > s.to) continue
    if (s.from < s.to) ranges.push(Decoration.mark({ class: 'pp-suggest-del', attributes: { 'data-proposal': s.id } }).range(s.from, s.to))
    ranges.push(Decoration.widget({ widget: new Insertion(s, act), side: 1 }).range(s.to))
  }
  return Decoration.set(ranges, true)
}

export const suggestionField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    let next = decorations.map(tr.changes)
    for (const effect of tr.effects) if (effect.is(setSuggestions)) next = build(effect.value, tr.state.doc.length)
    return next
  },
  provide: (field) => EditorView.decorations.from(field),
})

export const suggestionTheme = EditorView.theme({
  '.pp-suggest-del': { textDecoration: 'line-through', textDecorationColor: '#b3261e', color: '#6b2a24', backgroundColor: '#b3261e14' },
  '.pp-suggestion': { whiteSpace: 'pre-wrap' },
  '.pp-suggestion [data-text]::before': { content: 'attr(data-text)' },
  '.pp-suggest-ins': { textDecoration: 'underline', textDecorationColor: '#2e7d32', color: '#1b5e20', backgroundColor: '#2e7d3214', marginLeft: '2px' },
  '.pp-suggestion button': {
    font: '600 0.7em system-ui, sans-serif',
    marginLeft: '3px',
    padding: '0 5px',
    border: '1px solid #c4c9d0',
    borderRadius: '4px',
    background: '#fff',
    color: '#1d2129',
    verticalAlign: 'middle',
    cursor: 'pointer',
  },
})
