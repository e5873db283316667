// CodeMirror 6 bound to a Y.Text with y-codemirror.next (remote cursors from awareness),
// plus annotation highlights: decorations set from resolved anchors and mapped through edits.

import { EditorView, basicSetup } from 'codemirror'
import { EditorState, StateEffect, StateField, type Extension } from '@codemirror/state'
import { Decoration, keymap, type DecorationSet } from '@codemirror/view'
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

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '15px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', lineHeight: '1.55' },
  '.cm-content': { padding: '12px 0' },
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
}

export function createEditor({ parent, ytext, awareness, readOnly, onSelection, label = 'Document text' }: EditorOptions): EditorView {
  const extensions: Extension[] = [
    keymap.of(yUndoManagerKeymap),
    basicSetup,
    EditorView.lineWrapping,
    theme,
    yCollab(ytext, awareness),
    highlightField,
    EditorState.readOnly.of(readOnly),
    EditorView.contentAttributes.of({ 'aria-label': label }),
    EditorView.updateListener.of((update) => {
      if (update.selectionSet || update.docChanged) {
        const { from, to } = update.state.selection.main
        onSelection?.(from, to)
      }
    }),
  ]
  return new EditorView({ parent, state: EditorState.create({ doc: ytext.toString(), extensions }) })
}
