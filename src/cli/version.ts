import { readFileSync } from 'node:fs'

/**
 * The version in package.json, found from this file whether it runs from src/ (tsx) or from the
 * built dist/src/: the nearest package.json up the tree is the project's own.
 */
export function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'opencentral' && pkg.version) return pkg.version
    } catch {
      // not at this level: try the next one up
    }
  }
  throw new Error('package.json of opencentral not found')
}
