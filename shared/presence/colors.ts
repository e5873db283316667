// A stable colour per principal, so a person or agent looks the same in cursors, presence and
// annotation highlights on every screen; and the one colour syntax peers may announce.

// Every colour carries white caret-label text at WCAG AA (4.5:1) and tints text backgrounds
// lightly enough for dark text; hues spread around the wheel so neighbours are told apart
// (test/colors.test.ts checks both).
export const PALETTE = ['#c0392b', '#00796b', '#9a5b00', '#2e7d32', '#7b1fa2', '#1f5fbf', '#ad1457', '#5d6b00', '#6d4c41', '#37474f']

/** WCAG relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
}

/** WCAG contrast ratio of two `#rrggbb` colours. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

/** White label text on a colour must be readable (WCAG AA for normal text). */
export const MIN_LABEL_CONTRAST = 4.5

export function hashString(value: string): number {
  let h = 2166136261
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 16777619)
  return h >>> 0
}

export interface PrincipalColors {
  color: string
  /** Translucent variant for selections and highlights. */
  colorLight: string
}

/** Announced colours end up in `style` attributes: `#rrggbb` only, nothing CSS could read as more. */
export function isHexColor(value: unknown): value is string {
  return typeof value === 'string' && /^#[0-9a-fA-F]{6}$/.test(value)
}

/**
 * The palette slot for a new member of a workspace: the least used slot, lowest first, so the
 * first PALETTE.length members all differ and later ones spread evenly (a hash collides early:
 * two of five people share a colour more often than not with ten colours).
 */
export function nextPaletteIndex(taken: Iterable<number>, size = PALETTE.length): number {
  const uses = Array.from({ length: size }, () => 0)
  for (const i of taken) if (Number.isInteger(i) && i >= 0 && i < size) uses[i]++
  let best = 0
  for (let i = 1; i < size; i++) if (uses[i] < uses[best]) best = i
  return best
}

/** The colour of a palette slot (wrapped into range). */
export function paletteColor(index: number): string {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length]
}

/** Colours for a principal whose workspace gave it a palette colour; the hash only as a fallback. */
export function assignedColors(color: string | null | undefined, principal: string): PrincipalColors {
  return isHexColor(color) ? withLight(color) : colorsFor(principal)
}

export function colorsFor(principal: string): PrincipalColors {
  return withLight(PALETTE[hashString(principal) % PALETTE.length])
}

/**
 * `color` if it is `#rrggbb` and white label text on it is readable, else the principal's own
 * palette colour (a peer announcing pale yellow would make its caret label unreadable).
 */
export function safeColors(color: unknown, principal: string): PrincipalColors {
  return isHexColor(color) && contrast(color, '#ffffff') >= MIN_LABEL_CONTRAST ? withLight(color) : colorsFor(principal)
}

function withLight(color: string): PrincipalColors {
  return { color, colorLight: color + '33' }
}
