// Bearer tokens: random, shown once, stored only as a SHA-256 hash. A hash lookup needs no
// constant-time compare: the attacker does not control the hash being compared.

import { createHash, randomBytes } from 'node:crypto'

export const TOKEN_PREFIX = 'pp_'
/** Shortest token an operator may choose (bootstrap files, tests); generated ones are 46 chars. */
export const MIN_TOKEN_LENGTH = 8

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url')
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}
