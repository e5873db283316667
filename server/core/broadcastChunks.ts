// How a batch's changes go out: merged into messages of at most MERGE_BYTES (an update bigger
// than that goes alone). Merging saves frames for many small edits; the cap keeps big floods
// from being copied into one huge message.

/** One change the write queue applied, with the connection that sent it (null: the server). */
export interface Change {
  update: Uint8Array
  sender: number | null
}

/** Updates up to this size are merged into one broadcast message. */
const MERGE_BYTES = 256 * 1024

export interface OutgoingChunk {
  updates: Uint8Array[]
  /** The one connection that sent every update of the chunk, or null (mixed or server). */
  sender: number | null
}

/** Consecutive changes grouped into chunks of at most MERGE_BYTES (or one bigger update). */
export function chunksOf(changes: Change[]): OutgoingChunk[] {
  const chunks: OutgoingChunk[] = []
  let current: OutgoingChunk | null = null
  let bytes = 0
  for (const { update, sender } of changes) {
    if (!current || bytes + update.length > MERGE_BYTES) {
      current = { updates: [], sender }
      chunks.push(current)
      bytes = 0
    }
    if (current.sender !== sender) current.sender = null
    current.updates.push(update)
    bytes += update.length
  }
  return chunks
}
