// A stable colour per principal, so a person or agent looks the same in cursors, presence and
// annotation highlights on every screen; and the one colour syntax peers may announce.

const PALETTE = ['#d1495b', '#00798c', '#edae49', '#66a182', '#8d6a9f', '#2e4057', '#e07a5f', '#3d5a80', '#81b29a', '#b5838d']

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

export function colorsFor(principal: string): PrincipalColors {
  return withLight(PALETTE[hashString(principal) % PALETTE.length])
}

/** `color` if it is `#rrggbb`, else the principal's own palette colour. */
export function safeColors(color: unknown, principal: string): PrincipalColors {
  return isHexColor(color) ? withLight(color) : colorsFor(principal)
}

function withLight(color: string): PrincipalColors {
  return { color, colorLight: color + '33' }
}
