// Shapes the registry returns besides the shared model types.

import type { PrincipalKind, Role } from '../../shared/model.ts'

export interface Member {
  id: string
  kind: PrincipalKind
  name: string
  role: Role
  submitted: boolean
  /** The colour the workspace gave this member (`#rrggbb`), the same on every screen, kept while away. */
  color: string
}

export interface BootstrapResult {
  principals: number
  workspaces: number
  members: number
}
