// Typed registry errors; the HTTP layer maps code → status (conflict 409, not_found 404, invalid 400).

export type RegistryErrorCode = 'conflict' | 'not_found' | 'invalid'

export class RegistryError extends Error {
  override readonly name = 'RegistryError'
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message)
  }
}
