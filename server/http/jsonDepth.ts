// How deep a JSON text nests, measured without parsing it: a 9,000-deep body must be refused
// with a 400 before JSON.parse or a schema walks it recursively. One linear pass; stops as
// soon as `max` is exceeded.

/** True when `text` nests arrays/objects more than `max` levels deep (strings are skipped). */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c /* \ */) i++
      else if (ch === 0x22 /* " */) inString = false
      continue
    }
    if (ch === 0x22) inString = true
    else if (ch === 0x5b /* [ */ || ch === 0x7b /* { */) {
      if (++depth > max) return true
    } else if (ch === 0x5d /* ] */ || ch === 0x7d /* } */) depth--
  }
  return false
}
