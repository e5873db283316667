// The HTTP API shared by the server (which validates with these schemas) and its clients (the
// agent SDK, the CLI, the browser), which call it through ApiClient. Start at ApiClient.ts.
export { ApiClient, workspacePath, type ApiClientOptions } from './ApiClient.ts'
export { ApiRequestError, type ApiErrorKind } from './ApiRequestError.ts'
export type * from './types.ts'
