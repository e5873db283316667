// Identities and workspace settings shared by server, client and agents.

export type PrincipalKind = 'human' | 'agent' | 'service'
export const PRINCIPAL_KINDS = ['human', 'agent', 'service'] as const

export type Role = 'owner' | 'editor' | 'reviewer' | 'viewer'
export const ROLES = ['owner', 'editor', 'reviewer', 'viewer'] as const

/** Who may read another principal's namespace (see DESIGN.md §2). */
export type Visibility = 'private' | 'team' | 'blind-until-submitted'
export const VISIBILITIES = ['private', 'team', 'blind-until-submitted'] as const

export interface Principal {
  id: string
  kind: PrincipalKind
  name: string
  /** Server administrators may create principals and workspaces. */
  admin: boolean
}

export interface Workspace {
  id: string
  title: string
  visibility: Visibility
}

/** The principal id the server itself writes as (task reflections, resolutions). */
export const SERVER_PRINCIPAL = 'polyphony-server'

/** The shared document layout version this server understands (`meta.schemaVersion`). */
export const SCHEMA_VERSION = 1
