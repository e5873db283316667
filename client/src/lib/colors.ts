// A stable colour per principal, so a person or agent looks the same in cursors,
// presence and annotation highlights on every screen.

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

export function colorsFor(principal: string): PrincipalColors {
  const color = PALETTE[hashString(principal) % PALETTE.length]
  return { color, colorLight: color + '33' }
}
