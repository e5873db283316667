// [history] The browser's history policies without a browser: when a note offers "show the text
// as it was read" (the text changed since its anchor was made), and how versions and failed
// history reads are worded.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { changedSinceRead } from '../client/src/lib/as-read.ts'
import { failure, versionWhy } from '../client/src/lib/history.svelte.ts'
import { ApiRequestError, type VersionSummary } from '../shared/api/index.ts'
import { createAnchor } from '../shared/anchoring/index.ts'
import { createDocument, documentText } from '../shared/documents.ts'

function setup() {
  const doc = new Y.Doc()
  const id = createDocument(doc, 'Plan', 'Revenue grew 40% last year.')
  const other = createDocument(doc, 'Other', 'Unrelated.')
  const text = documentText(doc, id)!
  return { doc, text, other: documentText(doc, other)!, anchor: createAnchor(text, 8, 16) }
}

describe('show the text as it was read', () => {
  it('is offered once the annotated text got an insertion or a deletion, not for edits elsewhere', () => {
    const s = setup()
    expect(changedSinceRead(s.text, s.anchor)).toBe(false)
    s.other.insert(0, 'Still ')
    expect(changedSinceRead(s.text, s.anchor)).toBe(false)
    s.text.insert(s.text.length, ' Costs fell.')
    expect(changedSinceRead(s.text, s.anchor)).toBe(true)

    const d = setup()
    d.text.delete(0, 8)
    expect(changedSinceRead(d.text, d.anchor)).toBe(true)
  })

  it('an anchor with only a state vector sees insertions but not deletions; unreadable bytes offer nothing', () => {
    const s = setup()
    const { snapshot: _snapshot, ...older } = s.anchor
    s.text.delete(0, 8)
    expect(changedSinceRead(s.text, older)).toBe(false)
    s.text.insert(0, 'Sales ')
    expect(changedSinceRead(s.text, older)).toBe(true)
    expect(changedSinceRead(s.text, { ...s.anchor, snapshot: '/////w==' })).toBe(false)
  })
})

describe('history wording', () => {
  const v = (reason: VersionSummary['reason'], label: string | null): VersionSummary => ({ n: 1, seq: 1, at: 0, principal: 'alice', reason, label, docs: [], bytes: 10 })
  it('says why each version was taken', () => {
    expect(versionWhy(v('request', 'sent to legal'))).toBe('named “sent to legal”')
    expect(versionWhy(v('request', null))).toBe('saved on request')
    expect(versionWhy(v('idle', null))).toBe('after a pause in editing')
    expect(versionWhy(v('unload', null))).toBe('when everyone had left')
    expect(versionWhy(v('before-server-write', 'restore v2'))).toBe('before restore v2')
  })
  it('says when to retry a rate-limited read and what to do when the server is away', () => {
    expect(failure(new ApiRequestError(429, 'too_many_requests', 'too many history reads (diff): … retry in 10 s'), 'the changes')).toBe(
      'Too many history requests just now: too many history reads (diff): … retry in 10 s',
    )
    expect(failure(new ApiRequestError(0, 'unreachable', 'x'), 'version 2')).toMatch(/^Could not load version 2: the server cannot be reached/)
    expect(failure(new ApiRequestError(404, 'not_found', 'no version 9'), 'version 9')).toBe('Could not load version 9: no version 9')
  })
})
