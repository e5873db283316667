// CodeMirror 6 bound to a Y.Text with y-codemirror.next (remote cursors from awareness),
// plus annotation highlights: decorations set from resolved anchors and mapped through edits.

import { EditorView } from 'codemirror'
import { EditorState, StateEffect, StateField, type Extension } from '@codemirror/state'
import { Decoration, drawSelection, dropCursor, highlightSpecialChars, keymap, placeholder, type DecorationSet } from '@codemirror/view'
import { defaultKeymap } from '@codemirror/commands'
import { searchKeymap } from '@codemirror/search'
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'
import type * as Y from 'yjs'
import type { Awareness } from 'y-protocols/awareness'
import { isHexColor } from '../../../shared/presence/index.ts'

export interface Highlight {
  id: string
  from: number
  to: number
  color: string
  /** Shown on hover. */
  title: string
}

const FALLBACK_COLOR = '#888888'

export const setHighlights = StateEffect.define<Highlight[]>()

function buildHighlights(highlights: Highlight[], length: number): DecorationSet {
  const ranges = highlights
    .filter((h) => h.from < h.to && h.to <= length)
    .map((h) => {
      // The colour may come from a peer's presence: into a style attribute only as #rrggbb.
      const color = isHexColor(h.color) ? h.color : FALLBACK_COLOR
      return Decoration.mark({
        class: 'pp-annotation',
        attributes: {
          title: h.title,
          'data-annotation': h.id,
          style: `background-color: ${color}2e; border-bottom: 2px solid ${color};`,
        },
      }).range(h.from, h.to)
    })
  return Decoration.set(ranges, true)
}

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
  '&': { height: '100%', fontSize: '17px' },
  '.cm-scroller': { fontFamily: "Charter, 'Iowan Old Style', Georgia, Cambria, 'Times New Roman', serif", lineHeight: '1.7' },
  '.cm-content': { padding: '28px 24px 40vh', maxWidth: '70ch', margin: '0 auto', caretColor: '#1d2129' },
  '.cm-line': { padding: '0' },
  '.cm-placeholder': { color: '#5f6673', fontStyle: 'italic' },
  // Labels always visible: knowing who (or which agent) is typing where is the point.
  '.cm-ySelectionInfo': { opacity: 1, fontFamily: 'system-ui, sans-serif', borderRadius: '3px 3px 3px 0', top: '-1.25em' },
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
}

export function createEditor({ parent, ytext, awareness, readOnly, onSelection, label = 'Document text', placeholderText }: EditorOptions): EditorView {
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
    EditorState.readOnly.of(readOnly),
    ...(placeholderText ? [placeholder(placeholderText)] : []),
    EditorView.contentAttributes.of({ 'aria-label': label }),
    EditorView.updateListener.of((update) => {
      if (update.selectionSet || update.docChanged) {
        const { from, to } = update.state.selection.main
        onSelection?.(from, to)
      }
    }),
  ]
  const view = new EditorView({ parent, state: EditorState.create({ doc: ytext.toString(), extensions }) })
  // An empty page invites writing: put the caret there at once.
  if (!readOnly && view.state.doc.length === 0) view.focus()
  return view
}
