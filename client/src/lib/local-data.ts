// The local copies a signed-in principal leaves in this browser: one y-indexeddb database per
// room, named `polyphony:<principal>:<room>`, and the API answers in localStorage (storage.ts).
// Signing out deletes them all; signing in deletes every other principal's, so a person
// signing in after someone else on the same browser never finds their namespaces on disk.

const PREFIX = 'polyphony:'

/** The database name prefix of `principal`'s rooms (principal ids never contain ':'). */
export function storePrefixFor(principal: string): string {
  return `${PREFIX}${principal}:`
}

/**
 * Deletes the room databases of every principal but `keep` (null: all of them). A database
 * still open in this tab is deleted as soon as its room closes (IndexedDB queues the delete).
 */
export async function deleteRoomDatabases(keep: string | null): Promise<void> {
  if (typeof indexedDB.databases !== 'function') return // no way to list them (very old browsers)
  const kept = keep === null ? null : storePrefixFor(keep)
  const names = (await indexedDB.databases()).map((db) => db.name ?? '').filter((name) => name.startsWith(PREFIX) && (kept === null || !name.startsWith(kept)))
  await Promise.all(names.map(deleteDatabase))
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error ?? new Error(`could not delete ${name}`))
  })
}
