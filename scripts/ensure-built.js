#!/usr/bin/env node
// `npm start` on a checkout whose build is missing (server or web application) builds it first.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const outputs = ['dist/cli/main.js', 'dist-ui/index.html']
if (!outputs.every((file) => existsSync(file))) {
  console.error('Building OpenCentral (npm run build)…')
  const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
