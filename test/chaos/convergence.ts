// Convergence: every replica of a room holds the same state (state vector and content).

import * as Y from 'yjs'
import { waitFor } from '../helpers/wait.ts'

/** What a replica of a `shared` room says: its state vector and the JSON of every root map. */
export function fingerprint(doc: Y.Doc): string {
  const sv = [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort((a, b) => a[0] - b[0])
  return JSON.stringify({ sv, docs: doc.getMap('docs').toJSON(), meta: doc.getMap('meta').toJSON() })
}

export function converged(docs: Y.Doc[]): boolean {
  const first = fingerprint(docs[0])
  return docs.every((d) => fingerprint(d) === first)
}

/** Waits until every replica has the same state; the error names the ones that differ. */
export async function waitConverged(replicas: Record<string, Y.Doc>, timeoutMs = 20_000): Promise<void> {
  const docs = Object.values(replicas)
  try {
    await waitFor(() => converged(docs), 'replicas to converge', timeoutMs)
  } catch (err) {
    const lines = Object.entries(replicas).map(([name, doc]) => `  ${name}: ${fingerprint(doc).slice(0, 400)}`)
    throw new Error(`${(err as Error).message}\n${lines.join('\n')}`, { cause: err })
  }
}
