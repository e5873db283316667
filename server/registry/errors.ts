// Typed registry errors: a DomainError whose code is its kind (conflict 409, not_found 404, invalid 400 over HTTP).

import { DomainError } from '../errors.ts'

export type RegistryErrorCode = 'conflict' | 'not_found' | 'invalid'

export class RegistryError extends DomainError {
  declare readonly code: RegistryErrorCode
  constructor(code: RegistryErrorCode, message: string) {
    super(code, code, message)
  }
}
