// Room names: `<workspace>/shared`, `<workspace>/ns/<principal>`, `<workspace>/review`.
// One Yjs document per room; the URL is `/sync/<room>`.

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export type RoomRef =
  | { kind: 'shared'; workspace: string }
  | { kind: 'namespace'; workspace: string; owner: string }
  | { kind: 'review'; workspace: string }

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id)
}

/** Parses a room name; returns null for anything that is not one of the three forms. */
export function parseRoom(name: string): RoomRef | null {
  const parts = name.split('/')
  if (!parts.every(isValidId)) return null
  if (parts.length === 2 && parts[1] === 'shared') return { kind: 'shared', workspace: parts[0] }
  if (parts.length === 2 && parts[1] === 'review') return { kind: 'review', workspace: parts[0] }
  if (parts.length === 3 && parts[1] === 'ns') return { kind: 'namespace', workspace: parts[0], owner: parts[2] }
  return null
}

export function roomName(ref: RoomRef): string {
  switch (ref.kind) {
    case 'shared':
      return `${ref.workspace}/shared`
    case 'review':
      return `${ref.workspace}/review`
    case 'namespace':
      return `${ref.workspace}/ns/${ref.owner}`
  }
}

export const sharedRoom = (workspace: string): string => `${workspace}/shared`
export const namespaceRoom = (workspace: string, owner: string): string => `${workspace}/ns/${owner}`
