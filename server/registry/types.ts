// Shapes the registry returns besides the shared model types and the API's (shared/api/types.ts).

export interface BootstrapResult {
  principals: number
  workspaces: number
  members: number
}
