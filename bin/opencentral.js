#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm run build`, which `npm ci` runs through `prepare`).
import { runCli } from '../dist/cli/main.js'

process.exitCode = await runCli(process.argv.slice(2))
