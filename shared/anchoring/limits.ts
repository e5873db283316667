// Bounds on what an anchor may hold and on the work spent placing one (W3C-style selectors with
// short context). Any member can write annotations into their own namespace, and every reader
// (the server's review API, each browser) re-anchors them: without bounds one annotation with a
// long context and a one-character quote made an unrelated request wait seconds. These numbers
// keep one annotation's placement within a few milliseconds on a document of tens of thousands
// of characters (test/readings-hostile.test.ts measures it through the real server).

export const ANCHOR_LIMITS = {
  /** Longest quoted passage, in UTF-16 code units (about a long paragraph). */
  quote: 1000,
  /** Longest prefix and longest suffix kept as context (createAnchor stores 32). */
  context: 64,
  /**
   * Longest recorded snapshot of the shared document (base64 characters): what the text was when
   * the anchor was made ("as read"). A document with a longer delete set records none.
   */
  snapshot: 16_384,
} as const

/** Why a quote selector is out of bounds, phrased as how to fix it; null when it fits. */
export function quoteLimitError(quote: { exact: string; prefix?: string; suffix?: string }): string | null {
  if (quote.exact.length > ANCHOR_LIMITS.quote) {
    return `the quote is ${quote.exact.length} characters; anchor at most ${ANCHOR_LIMITS.quote} (quote a shorter passage)`
  }
  for (const side of ['prefix', 'suffix'] as const) {
    const v = quote[side] ?? ''
    if (v.length > ANCHOR_LIMITS.context) return `the ${side} is ${v.length} characters; give at most ${ANCHOR_LIMITS.context} characters of context`
  }
  return null
}
