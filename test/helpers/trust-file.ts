import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** Writes a trust file (`--trust-file`) with these entries in a new temporary folder; its path. */
export function writeTrustFile(issuers: Record<string, unknown>[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'opencentral-trust-')), 'trust.json')
  writeFileSync(file, JSON.stringify({ issuers }))
  return file
}
