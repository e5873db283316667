// Colours people read: caret labels (white on the principal's colour) and highlighted text
// (dark text on a light tint of it) meet WCAG AA; palette colours are told apart.

import { describe, expect, it } from 'vitest'
import { PALETTE, colorsFor, contrast, nextPaletteIndex, paletteColor, safeColors } from '../shared/presence/index.ts'

const TEXT = '#1d2129'

/** `color` at `alpha` over white, as #rrggbb (how a highlight tint looks). */
function overWhite(color: string, alpha: number): string {
  const mix = (i: number) => Math.round(parseInt(color.slice(1 + 2 * i, 3 + 2 * i), 16) * alpha + 255 * (1 - alpha))
  return '#' + [0, 1, 2].map((i) => mix(i).toString(16).padStart(2, '0')).join('')
}

/** Distance between two colours in a simple perceptual approximation (redmean). */
function distance(a: string, b: string): number {
  const c = (h: string) => [0, 1, 2].map((i) => parseInt(h.slice(1 + 2 * i, 3 + 2 * i), 16))
  const [r1, g1, b1] = c(a)
  const [r2, g2, b2] = c(b)
  const rm = (r1 + r2) / 2
  return Math.sqrt((2 + rm / 256) * (r1 - r2) ** 2 + 4 * (g1 - g2) ** 2 + (2 + (255 - rm) / 256) * (b1 - b2) ** 2)
}

describe('palette', () => {
  it.each(PALETTE)('%s carries white caret-label text and dark highlighted text at AA', (color) => {
    expect(contrast(color, '#ffffff')).toBeGreaterThanOrEqual(4.5)
    // Highlights use 0x24 (inactive) and 0x40 (active) alpha: the darkest is 0x40.
    expect(contrast(overWhite(color, 0x40 / 255), TEXT)).toBeGreaterThanOrEqual(4.5)
  })

  it('colours are far enough apart to tell readers apart', () => {
    let min = Infinity
    for (let i = 0; i < PALETTE.length; i++) for (let j = i + 1; j < PALETTE.length; j++) min = Math.min(min, distance(PALETTE[i], PALETTE[j]))
    expect(min).toBeGreaterThan(65)
  })

  it('a colour a peer announces is used only if its label stays readable', () => {
    expect(safeColors('#1f5fbf', 'agent-a').color).toBe('#1f5fbf')
    expect(safeColors('#ffff66', 'agent-a').color).toBe(colorsFor('agent-a').color)
    expect(safeColors('red', 'agent-a').color).toBe(colorsFor('agent-a').color)
  })
})

describe('palette slots per workspace', () => {
  it('gives the first members distinct slots, then the least used, lowest first', () => {
    const taken: number[] = []
    for (let i = 0; i < PALETTE.length; i++) taken.push(nextPaletteIndex(taken))
    expect(new Set(taken).size).toBe(PALETTE.length)
    expect(nextPaletteIndex(taken)).toBe(0)
    expect(nextPaletteIndex([...taken, 0, 1])).toBe(2)
    // a member who left frees a slot: the next one takes it
    expect(nextPaletteIndex(taken.filter((i) => i !== 4))).toBe(4)
  })
  it('ignores slots out of range (a palette that shrank) and wraps colours into range', () => {
    expect(nextPaletteIndex([-1, 99, 0.5, 0])).toBe(1)
    expect(paletteColor(PALETTE.length + 2)).toBe(PALETTE[2])
  })
  it('hashing would have collided: five principals, ten colours', () => {
    // Why slots: with hashes two of these five share a colour; slots never do.
    const names = ['alice', 'bob', 'carol', 'agent-a', 'agent-b']
    expect(new Set(names.map((n) => colorsFor(n).color)).size).toBeLessThan(names.length)
    const taken: number[] = []
    for (const _ of names) taken.push(nextPaletteIndex(taken))
    expect(new Set(taken.map(paletteColor)).size).toBe(names.length)
  })
})
