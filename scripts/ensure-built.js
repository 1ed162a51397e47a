#!/usr/bin/env node
// `npm start` builds first when the build (server or web application) is missing or older than
// any source it is made from, so a changed checkout never runs yesterday's code.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'

const outputs = ['dist/cli/main.js', 'dist-ui/index.html']
const sources = ['src', 'ui', 'tsconfig.json', 'tsconfig.build.json', 'package.json']

function newestChange(entry) {
  if (!existsSync(entry)) return 0
  const stat = statSync(entry)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const child of readdirSync(entry)) {
    if (child === 'node_modules' || child.startsWith('.')) continue
    newest = Math.max(newest, newestChange(path.join(entry, child)))
  }
  return newest
}

const missing = outputs.filter((file) => !existsSync(file))
const built = missing.length === 0 ? Math.min(...outputs.map((file) => statSync(file).mtimeMs)) : 0
const changed = Math.max(...sources.map(newestChange))
if (missing.length > 0 || changed > built) {
  console.error(
    missing.length > 0
      ? 'Building OpenCentral (npm run build)…'
      : 'Sources changed since the last build: building OpenCentral (npm run build)…',
  )
  const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
