#!/usr/bin/env node
// `npm ci` / `npm install` of a checkout builds the server and the web application. A production
// install (`npm ci --omit=dev`) has no compiler: it keeps a build made before (as the Dockerfile's
// build stage does) and says what to do when there is none.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const outputs = ['dist/cli/main.js', 'dist-ui/index.html']

function resolvable(name) {
  try {
    require.resolve(`${name}/package.json`)
    return true
  } catch {
    return false
  }
}

if (resolvable('typescript') && resolvable('vite')) {
  const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' })
  process.exit(result.status ?? 1)
}
if (outputs.every((file) => existsSync(file))) {
  console.error('Production install: keeping the existing build (dist/, dist-ui/).')
  process.exit(0)
}
console.error(
  'OpenCentral is not built and this install has no build tools (--omit=dev).\n' +
    'Build once with them (npm ci && npm run build), then npm ci --omit=dev keeps that build;\n' +
    'or use the Dockerfile, whose build stage does this.',
)
process.exit(1)
