// Parses Prometheus text exposition strictly: every sample has a TYPE, every line is
// `name{labels} value [timestamp]`. Returns sample (name with labels) → value.

export function parsePrometheus(body: string): Map<string, number> {
  const samples = new Map<string, number>()
  const typed = new Set<string>()
  for (const line of body.split('\n')) {
    if (line === '') continue
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line)
    if (meta) {
      if (meta[1] === 'TYPE') {
        if (!/^(counter|gauge|histogram|summary|untyped)$/.test(meta[3])) throw new Error(`bad TYPE line: ${line}`)
        typed.add(meta[2])
      }
      continue
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)( -?\d+)?$/.exec(line)
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`)
    const base = m[1].replace(/_(bucket|sum|count)$/, '')
    if (!typed.has(m[1]) && !typed.has(base)) throw new Error(`sample ${m[1]} has no TYPE`)
    samples.set(m[1] + (m[2] ?? ''), m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]))
  }
  return samples
}
