// Shapes the registry returns besides the shared model types.

import type { PrincipalKind, Role } from '../../shared/model.ts'

export interface Member {
  id: string
  kind: PrincipalKind
  name: string
  role: Role
  submitted: boolean
}

export interface BootstrapResult {
  principals: number
  workspaces: number
  members: number
}
