// `--help` for the bench's single-purpose scripts: prints how to run one and exits, before it
// starts a server or parses its numbers (a script reading positional numbers would otherwise
// take `--help` for NaN).

/** Prints `usage` and exits 0 when the command line asks for help (`--help` or `-h`). */
export function helpIfAsked(usage: string, argv: string[] = process.argv.slice(2)): void {
  if (!argv.includes('--help') && !argv.includes('-h')) return
  process.stdout.write(`${usage.trim()}\n`)
  process.exit(0)
}

/** A whole number in [min, max] from the command line, or an error that says what is allowed. */
export function wholeArg(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  const n = raw === undefined ? fallback : Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max} (got ${raw}); --help shows the usage`)
  return n
}
