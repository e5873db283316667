// Which namespaces of a workspace a viewer may read, by the same access policy sockets obey.
// A namespace's review room is readable exactly when the namespace is (shared/access.ts).

import { mayRead } from '../../shared/access.ts'
import type { Principal } from '../../shared/model.ts'
import type { Registry } from '../registry/index.ts'

export function readableNamespaces(registry: Registry, workspace: string, viewer: Principal): string[] {
  if (!registry.getWorkspace(workspace)) return []
  return registry
    .members(workspace)
    .filter((m) => mayRead(registry, viewer.id, { kind: 'namespace', workspace, owner: m.id }))
    .map((m) => m.id)
}
