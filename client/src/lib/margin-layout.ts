// Placing notes in the margin: each wants to sit level with the start of its text stretch;
// notes are taken in text order and pushed down just enough not to overlap the one above.

export interface MarginItem {
  id: string
  /** Where the item wants its top (px, level with its text). */
  want: number
  /** Its measured height (px); 0 before it was measured. */
  height: number
}

export const NOTE_GAP = 8

/** Tops for items, in text order (ties keep the given order); never overlapping. */
export function stackNotes(items: MarginItem[], gap = NOTE_GAP): Map<string, number> {
  const order = items.map((item, index) => ({ item, index })).sort((a, b) => a.item.want - b.item.want || a.index - b.index)
  const tops = new Map<string, number>()
  let floor = 0
  for (const { item } of order) {
    const top = Math.max(item.want, floor)
    tops.set(item.id, top)
    floor = top + item.height + gap
  }
  return tops
}

/** The height the margin needs to show every item. */
export function marginHeight(items: MarginItem[], tops: Map<string, number>): number {
  return items.reduce((h, item) => Math.max(h, (tops.get(item.id) ?? 0) + item.height), 0)
}
