// The seams of the HTTP layer, checked on the source tree so they cannot erode silently:
// - server/conflicts is reached only through its index (its public face) by the rest of the
//   product (tests may open its parts to test them);
// - domain folders do not depend on the HTTP layer (they throw DomainError, server/errors.ts);
// - an error response is built in one place (server/http/errors.ts, called by onApiError);
// - every workspace route resolves its workspace through member() (no second lookup).

import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((f) => f.isFile() && /\.(ts|svelte)$/.test(f.name))
    .map((f) => relative(ROOT, join(f.parentPath, f.name)))
}

/** Every relative import of `file`, as a path from the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => relative(ROOT, resolve(ROOT, dirname(file), m[1])))
}

const PRODUCT = ['server', 'agents', 'shared', 'client/src', 'bench'].flatMap(sourceFiles)

describe('HTTP seams', () => {
  it('code outside server/conflicts imports it only through server/conflicts/index.ts', () => {
    const offenders = PRODUCT.filter((f) => !f.startsWith('server/conflicts/')).flatMap((f) =>
      importsOf(f)
        .filter((target) => target.startsWith('server/conflicts/') && target !== 'server/conflicts/index.ts')
        .map((target) => `${f} -> ${target}`),
    )
    expect(offenders).toEqual([])
  })

  it('domain folders do not import the HTTP layer', () => {
    const domain = ['server/core', 'server/storage', 'server/registry', 'server/conflicts', 'server/history', 'server/review', 'server/coord', 'server/docs'].flatMap(sourceFiles)
    expect(domain.length).toBeGreaterThan(20)
    const offenders = domain.flatMap((f) =>
      importsOf(f)
        .filter((target) => target.startsWith('server/http/'))
        .map((target) => `${f} -> ${target}`),
    )
    expect(offenders).toEqual([])
  })

  it('error responses are built only in server/http/errors.ts', () => {
    const offenders = sourceFiles('server').filter((f) => f !== 'server/http/errors.ts' && /\bjson\(\s*\{\s*error\b/.test(readFileSync(join(ROOT, f), 'utf8')))
    expect(offenders).toEqual([])
  })

  it('workspace routes take the workspace from member(), not a lookup of their own', () => {
    const routes = sourceFiles('server/http/routes')
    expect(routes.length).toBeGreaterThan(5)
    const offenders = routes.filter((f) => /registry\.getWorkspace\(|c\.req\.param\('ws'\)/.test(readFileSync(join(ROOT, f), 'utf8')))
    expect(offenders).toEqual([])
  })
})
