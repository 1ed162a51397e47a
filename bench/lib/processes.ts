import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus } from 'node:os'
import path from 'node:path'

export const root = path.resolve(import.meta.dirname, '../..')

/** `taskset -c <core>` in front of a command where the machine has more than one core. */
export const pinned = (core: number, command: string[]): string[] =>
  existsSync('/usr/bin/taskset') && cpus().length > 1 ? ['taskset', '-c', String(core), ...command] : command

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const response = await fetch(url)
      if (response.status < 500) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${url} did not come up`)
}

export function startProcess(command: string[]): ChildProcess {
  const [file, ...args] = command as [string, ...string[]]
  return spawn(file, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
}

/** The process's peak resident set size (VmHWM), in MB. */
export function peakRssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024)
}

export interface LoadResult {
  requestsPerSecond: number
  p50: number
  p99: number
  ok: number
  errors: number
}

/**
 * One autocannon run in its own process on core 1. `credential` is a header value or `@file`;
 * `pathsFile`, when given, lists the paths to request in turn instead of the url's.
 */
export function load(url: string, credential: string, seconds: number, connections: number, pathsFile?: string): LoadResult {
  const [file, ...args] = pinned(1, [process.execPath, '--import', 'tsx', 'bench/load.ts']) as [string, ...string[]]
  const extra = pathsFile ? [`@${pathsFile}`] : []
  const output = execFileSync(file, [...args, url, credential, String(seconds), String(connections), ...extra], {
    cwd: root,
    encoding: 'utf8',
  })
  return JSON.parse(output) as LoadResult
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}
