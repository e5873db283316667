// What one Yjs transaction changed, encoded as a V1 update: the same bytes Yjs would hand to
// `doc.on('update')`, but encoded before Yjs merges the new structs into their left neighbours.
//
// Why: after the merge, a stream of one-character inserts by one client is a single item whose
// string grows by concatenation (a V8 rope), and Yjs encodes the update event from the middle of
// that item, so every edit flattens the whole text — per-edit cost O(document). Encoded at
// `afterTransaction` (observers done, delete set sorted, nothing merged yet), the new structs are
// still the small items the update carried. Just listening to 'update' makes Yjs encode it for
// every transaction: whoever only needs "something changed" asks transactionChanged() instead.

import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'

/** Whether `tr` added structs or deleted anything (what makes Yjs emit 'update'). */
export function transactionChanged(tr: Y.Transaction): boolean {
  if (tr.deleteSet.clients.size > 0) return true
  for (const [client, clock] of tr.afterState) if ((tr.beforeState.get(client) ?? 0) !== clock) return true
  return false
}

/**
 * The update `tr` made (structs added from each client's state before it, then its delete set),
 * or null if it changed nothing. Call from an 'afterTransaction' listener.
 */
export function encodeTransactionUpdate(tr: Y.Transaction): Uint8Array | null {
  if (!transactionChanged(tr)) return null
  const encoder = new Y.UpdateEncoderV1()
  const rest = encoder.restEncoder
  const store = tr.doc.store
  const changed: Array<[client: number, clock: number]> = []
  for (const [client, after] of tr.afterState) {
    const before = tr.beforeState.get(client) ?? 0
    if (after > before) changed.push([client, before])
  }
  // Higher client ids first, as Yjs writes them (its conflict resolution integrates faster so).
  changed.sort((a, b) => b[0] - a[0])
  encoding.writeVarUint(rest, changed.length)
  for (const [client, before] of changed) {
    const structs = store.clients.get(client) as Array<Y.Item | Y.GC>
    const clock = Math.max(before, structs[0].id.clock)
    const start = Y.findIndexSS(structs, clock)
    encoding.writeVarUint(rest, structs.length - start)
    encoder.writeClient(client)
    encoding.writeVarUint(rest, clock)
    structs[start].write(encoder, clock - structs[start].id.clock)
    for (let i = start + 1; i < structs.length; i++) structs[i].write(encoder, 0)
  }
  const ds = [...tr.deleteSet.clients.entries()].sort((a, b) => b[0] - a[0])
  encoding.writeVarUint(rest, ds.length)
  for (const [client, items] of ds) {
    encoder.resetDsCurVal()
    encoding.writeVarUint(rest, client)
    encoding.writeVarUint(rest, items.length)
    for (const item of items) {
      encoder.writeDsClock(item.clock)
      encoder.writeDsLen(item.len)
    }
  }
  return encoder.toUint8Array()
}
