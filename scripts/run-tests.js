#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (TypeScript through tsx).
// Node 20's --test does not expand globs, so the files are listed here.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import path from 'node:path'

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'helpers' ? [] : find(full)
    return entry.name.endsWith('.test.ts') ? [full] : []
  })
}

const only = process.argv.slice(2)
const files = only.length > 0 ? only : find('test').sort()
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2']
if (process.env.CI) args.push('--test-force-exit')
const result = spawnSync(process.execPath, [...args, ...files], { stdio: 'inherit' })
process.exit(result.status ?? 1)
