// What --database / POLYPHONY_DATABASE_URL / ServerOptions.database accept, checked in one place
// so the CLI and startServer refuse the same values with the same message.

/** Null if `url` names a PostgreSQL database, else what is wrong and how to fix it. */
export function databaseUrlProblem(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `--database must be a postgres:// or postgresql:// URL (e.g. postgres://user:password@localhost:5432/polyphony), got "${shown(url)}"`
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    return `--database must be a postgres:// or postgresql:// URL (e.g. postgres://user:password@localhost:5432/polyphony), got a ${parsed.protocol.replace(/:$/, '')}:// URL`
  }
  return null
}

/** The input without anything that could be a password, for the error message. */
function shown(url: string): string {
  const cut = url.length > 80 ? `${url.slice(0, 80)}…` : url
  return cut.replace(/\/\/[^@/]*@/, '//***@')
}
