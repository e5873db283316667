// Which namespaces of a workspace a viewer may read, by the same access policy sockets obey.

import { decideAccess } from '../../shared/access.ts'
import type { Principal } from '../../shared/model.ts'
import type { Registry } from '../registry/index.ts'

export function readableNamespaces(registry: Registry, workspace: string, viewer: Principal): string[] {
  const ws = registry.getWorkspace(workspace)
  if (!ws) return []
  const role = registry.roleOf(workspace, viewer.id)
  return registry
    .members(workspace)
    .filter(
      (m) =>
        decideAccess(
          { principal: viewer.id, role, visibility: ws.visibility, room: { kind: 'namespace', workspace, owner: m.id }, namespaceSubmitted: m.submitted },
          'read',
        ).allow,
    )
    .map((m) => m.id)
}
