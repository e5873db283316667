// Room names: `<workspace>/shared`, `<workspace>/tasks`, `<workspace>/ns/<principal>`,
// `<workspace>/review/<principal>`. One Yjs document per room; the URL is `/sync/<room>`.
// A namespace's review room holds the decisions about that namespace's annotations and
// proposals, so it is readable exactly when the namespace is (shared/access.ts).

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export type RoomRef =
  | { kind: 'shared'; workspace: string }
  | { kind: 'tasks'; workspace: string }
  | { kind: 'namespace'; workspace: string; owner: string }
  | { kind: 'review'; workspace: string; owner: string }

/** The forms a room name may take, for error messages. */
export const ROOM_FORMS = '<ws>/shared, <ws>/tasks, <ws>/ns/<principal> or <ws>/review/<principal>'

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id)
}

/** Parses a room name; returns null for anything that is not one of the four forms. */
export function parseRoom(name: string): RoomRef | null {
  const parts = name.split('/')
  if (!parts.every(isValidId)) return null
  if (parts.length === 2 && parts[1] === 'shared') return { kind: 'shared', workspace: parts[0] }
  if (parts.length === 2 && parts[1] === 'tasks') return { kind: 'tasks', workspace: parts[0] }
  if (parts.length === 3 && parts[1] === 'ns') return { kind: 'namespace', workspace: parts[0], owner: parts[2] }
  if (parts.length === 3 && parts[1] === 'review') return { kind: 'review', workspace: parts[0], owner: parts[2] }
  return null
}

export function roomName(ref: RoomRef): string {
  switch (ref.kind) {
    case 'shared':
      return `${ref.workspace}/shared`
    case 'tasks':
      return `${ref.workspace}/tasks`
    case 'namespace':
      return `${ref.workspace}/ns/${ref.owner}`
    case 'review':
      return `${ref.workspace}/review/${ref.owner}`
  }
}

/** The namespace owner a room is about (its namespace or its review room), else null. */
export function namespaceOwnerOf(ref: RoomRef): string | null {
  return ref.kind === 'namespace' || ref.kind === 'review' ? ref.owner : null
}

export const sharedRoom = (workspace: string): string => `${workspace}/shared`
export const tasksRoom = (workspace: string): string => `${workspace}/tasks`
export const namespaceRoom = (workspace: string, owner: string): string => `${workspace}/ns/${owner}`
export const reviewRoom = (workspace: string, owner: string): string => `${workspace}/review/${owner}`
