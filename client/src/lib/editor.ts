// CodeMirror 6 bound to a Y.Text with y-codemirror.next (remote cursors from awareness),
// plus annotation highlights: decorations set from resolved anchors and mapped through edits.

import { EditorView } from 'codemirror'
import { EditorState, StateEffect, StateField, type Extension } from '@codemirror/state'
import { Decoration, WidgetType, drawSelection, dropCursor, highlightSpecialChars, keymap, placeholder, type DecorationSet } from '@codemirror/view'
import type { Range } from '@codemirror/state'
import { MAX_BANDS, readersOf, segmentHighlights, type Highlight } from './highlight-segments.ts'
import { suggestionField, suggestionTheme } from './suggestions.ts'
import { defaultKeymap } from '@codemirror/commands'
import { searchKeymap } from '@codemirror/search'
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'
import type * as Y from 'yjs'
import type { Awareness } from 'y-protocols/awareness'
import { isHexColor } from '../../../shared/presence/index.ts'

export type { Highlight } from './highlight-segments.ts'

const FALLBACK_COLOR = '#888888'

export const setHighlights = StateEffect.define<{ highlights: Highlight[]; active: string | null }>()

/** Shows how many readers marked an overlapping stretch, before its first character. */
class ReaderCount extends WidgetType {
  constructor(readonly count: number) {
    super()
  }
  override eq(other: ReaderCount): boolean {
    return other.count === this.count
  }
  toDOM(): HTMLElement {
    const el = document.createElement('span')
    el.className = 'pp-readers'
    // Drawn by CSS (::before) so the count never becomes part of the text (copy, tests, search).
    el.dataset.count = String(this.count)
    el.title = `${this.count} readers marked this`
    el.setAttribute('aria-label', `${this.count} readers`)
    return el
  }
}

function buildHighlights({ highlights, active }: { highlights: Highlight[]; active: string | null }, length: number): DecorationSet {
  const ranges: Range<Decoration>[] = []
  let previous: string[] = []
  let previousEnd = -1
  for (const segment of segmentHighlights(highlights, length)) {
    // The colour may come from a peer's presence: into a style attribute only as #rrggbb.
    const colors = readersOf(segment).map((c) => (isHexColor(c) ? c : FALLBACK_COLOR))
    const ids = segment.highlights.map((h) => h.id)
    const isActive = active !== null && ids.includes(active)
    const style =
      colors.length === 1
        ? `background-color: ${colors[0]}${isActive ? '40' : '24'}; box-shadow: inset 0 -2px 0 ${colors[0]};`
        : // Several readers: a neutral tint and one band per reader, never a blend.
          `background-color: #000000${isActive ? '14' : '0a'}; box-shadow: ${colors
            .slice(0, MAX_BANDS)
            .map((c, i) => `inset 0 -${2 * (i + 1)}px 0 ${c}`)
            .join(', ')};`
    const attributes: Record<string, string> = {
      title: segment.highlights.map((h) => h.title).join('\n'),
      'data-annotation': ids[0],
      'data-annotations': ids.join(' '),
      'data-readers': String(colors.length),
      style,
    }
    ranges.push(Decoration.mark({ class: isActive ? 'pp-annotation pp-active' : 'pp-annotation', attributes }).range(segment.from, segment.to))
    // A count where an overlap begins (not again on each piece of the same overlap).
    const continues = segment.from === previousEnd && previous.join() === colors.join()
    if (colors.length > 1 && !continues) ranges.push(Decoration.widget({ widget: new ReaderCount(colors.length), side: -1 }).range(segment.from))
    previous = colors
    previousEnd = segment.to
  }
  return Decoration.set(ranges, true)
}

/** A contested text stretch (an open overlapping-edit conflict), placed on the current text. */
export interface ConflictMark {
  id: string
  from: number
  to: number
  title: string
}

export const setConflictMarks = StateEffect.define<ConflictMark[]>()

/** Where the contested words are all gone, a sign still marks the place. */
class ConflictSign extends WidgetType {
  constructor(
    readonly id: string,
    readonly title: string,
  ) {
    super()
  }
  override eq(other: ConflictSign): boolean {
    return other.id === this.id && other.title === this.title
  }
  toDOM(): HTMLElement {
    const el = document.createElement('span')
    el.className = 'pp-conflict-sign'
    el.dataset.conflict = this.id
    el.title = this.title
    el.setAttribute('aria-label', this.title)
    return el
  }
}

function buildConflictMarks(marks: ConflictMark[], length: number): DecorationSet {
  const ranges: Range<Decoration>[] = []
  for (const m of marks) {
    const from = Math.max(0, Math.min(m.from, length))
    const to = Math.max(0, Math.min(m.to, length))
    if (from < to) ranges.push(Decoration.mark({ class: 'pp-conflict', attributes: { 'data-conflict': m.id, title: m.title } }).range(from, to))
    else ranges.push(Decoration.widget({ widget: new ConflictSign(m.id, m.title), side: 1 }).range(from))
  }
  return Decoration.set(ranges, true)
}

const conflictField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    let next = decorations.map(tr.changes)
    for (const effect of tr.effects) if (effect.is(setConflictMarks)) next = buildConflictMarks(effect.value, tr.state.doc.length)
    return next
  },
  provide: (field) => EditorView.decorations.from(field),
})

const highlightField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    let next = decorations.map(tr.changes)
    for (const effect of tr.effects) if (effect.is(setHighlights)) next = buildHighlights(effect.value, tr.state.doc.length)
    return next
  },
  provide: (field) => EditorView.decorations.from(field),
})

// A prose page, not a code editor: proportional type, a readable measure (~70 characters)
// centred in the pane, generous line height, no gutters.
const theme = EditorView.theme({
  // The page scrolls as a whole (text and margin notes together), so the editor grows with its text.
  '&': { fontSize: '17px' },
  '.cm-scroller': { fontFamily: "Charter, 'Iowan Old Style', Georgia, Cambria, 'Times New Roman', serif", lineHeight: '1.7' },
  '.cm-content': { padding: '16px 24px 30vh', maxWidth: '70ch', caretColor: '#1d2129' },
  '.cm-line': { padding: '0' },
  '.cm-placeholder': { color: '#5f6673', fontStyle: 'italic' },
  // Labels always visible: knowing who (or which agent) is typing where is the point.
  '.cm-ySelectionInfo': { opacity: 1, fontFamily: 'system-ui, sans-serif', borderRadius: '3px 3px 3px 0', top: '-1.25em' },
  '.pp-annotation': { cursor: 'pointer', borderRadius: '2px' },
  '.pp-readers': {
    fontFamily: 'system-ui, sans-serif',
    fontSize: '0.65em',
    fontWeight: '700',
    verticalAlign: 'super',
    lineHeight: '1',
    padding: '0 4px',
    marginRight: '1px',
    borderRadius: '8px',
    background: '#1d2129',
    color: '#fff',
  },
  '.pp-readers::before': { content: 'attr(data-count)' },
  // Contested text: a wavy red underline (not a colour any reader uses) and a sign where words vanished.
  '.pp-conflict': { textDecoration: 'underline wavy #b3261e', textDecorationSkipInk: 'none', textUnderlineOffset: '4px', cursor: 'pointer' },
  '.pp-conflict-sign': { cursor: 'pointer', padding: '0 2px' },
  '.pp-conflict-sign::before': { content: "'⚠'", color: '#b3261e', fontFamily: 'system-ui, sans-serif', fontSize: '0.85em' },
})

export interface EditorOptions {
  parent: HTMLElement
  ytext: Y.Text
  awareness: Awareness
  readOnly: boolean
  /** Called whenever the main selection changes. */
  onSelection?: (from: number, to: number) => void
  label?: string
  /** Shown while the document is empty. */
  placeholderText?: string
  /** Called when text positions may have moved on screen (edits, wrapping, resizing). */
  onLayout?: () => void
  /** Called with the annotation ids under a click on a highlight. */
  onHighlightClick?: (ids: string[]) => void
  /** Called with the conflict id under a click on a contested stretch. */
  onConflictClick?: (id: string) => void
}

export function createEditor(opts: EditorOptions): EditorView {
  const { parent, ytext, awareness, readOnly, onSelection, label = 'Document text', placeholderText, onLayout, onHighlightClick, onConflictClick } = opts
  const extensions: Extension[] = [
    // Undo goes through the Yjs undo manager (only this person's edits), so no CodeMirror history.
    keymap.of(yUndoManagerKeymap),
    highlightSpecialChars(),
    drawSelection(),
    dropCursor(),
    keymap.of([...defaultKeymap, ...searchKeymap]),
    EditorView.lineWrapping,
    theme,
    yCollab(ytext, awareness),
    highlightField,
    conflictField,
    suggestionField,
    suggestionTheme,
    EditorState.readOnly.of(readOnly),
    ...(placeholderText ? [placeholder(placeholderText)] : []),
    EditorView.contentAttributes.of({ 'aria-label': label }),
    EditorView.updateListener.of((update) => {
      if (update.selectionSet || update.docChanged) {
        const { from, to } = update.state.selection.main
        onSelection?.(from, to)
      }
      if (update.geometryChanged || update.docChanged || update.viewportChanged) onLayout?.()
    }),
    EditorView.domEventHandlers({
      click(event) {
        const contested = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-conflict]') : null
        if (contested?.dataset.conflict) {
          onConflictClick?.(contested.dataset.conflict)
          return false
        }
        const mark = event.target instanceof Element ? event.target.closest<HTMLElement>('.pp-annotation') : null
        const ids = mark?.dataset.annotations?.split(' ').filter(Boolean) ?? []
        if (ids.length > 0) onHighlightClick?.(ids)
        return false
      },
    }),
  ]
  const view = new EditorView({ parent, state: EditorState.create({ doc: ytext.toString(), extensions }) })
  // An empty page invites writing: put the caret there at once.
  if (!readOnly && view.state.doc.length === 0) view.focus()
  return view
}
