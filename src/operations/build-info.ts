import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package folder, from src/operations (tsx) or dist/operations (built) alike. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

function readText(file: string): string | null {
  try {
    return readFileSync(path.join(ROOT, file), 'utf8').trim()
  } catch {
    return null
  }
}

/**
 * The commit the server was built from: a COMMIT file written at image build, else the checkout's
 * HEAD; null when neither is there (an npm install).
 */
function commitOf(): string | null {
  const written = readText('COMMIT')
  if (written) return written
  const head = readText('.git/HEAD')
  if (!head) return null
  if (!head.startsWith('ref: ')) return head
  return readText(path.join('.git', head.slice(5)))
}

export interface BuildInfo {
  version: string
  commit: string | null
}

export function buildInfo(): BuildInfo {
  const manifest = JSON.parse(readText('package.json') ?? '{}') as { version?: string }
  return { version: manifest.version ?? 'unknown', commit: commitOf() }
}
