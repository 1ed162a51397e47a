import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './free-port.js'

export { freePort }

/** The project root: `bin/opencentral.js` is run from here, as an operator would. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = path.join(ROOT, 'bin', 'opencentral.js')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** The parent's environment without any OPENCENTRAL_* setting, so each run says all it means. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('OPENCENTRAL_')) env[key] = value
  }
  return { ...env, ...extra }
}

/**
 * Runs `node bin/opencentral.js …args` to completion (killed after `timeoutMs`). Standard input is
 * empty unless `input` is given.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: cleanEnv(options.env),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    if (options.input !== undefined) child.stdin!.end(options.input)
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/** A temporary folder for one test's `--data`; `remove` deletes it. */
export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'opencentral-cli-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface RunningServer {
  child: ChildProcess
  url: string
  stdout(): string
  stderr(): string
  /** Resolves with the exit code and signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Spawns `node bin/opencentral.js start …args` and waits until GET /healthz answers 200. */
export async function startCliServer(
  args: string[],
  options: { env?: Record<string, string>; readyTimeoutMs?: number } = {},
): Promise<RunningServer> {
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [BIN, 'start', '--port', String(port), '--mqtt-port', '0', '--host', '127.0.0.1', ...args],
    {
      cwd: ROOT,
      env: cleanEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  const url = `http://127.0.0.1:${port}`
  // Generous: a first start migrates a fresh store, and CI machines may be busy.
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000)
  let ended = false
  void exited.then(() => (ended = true))
  while (true) {
    if (ended)
      throw new Error(`the server exited before it was ready\nstdout: ${stdout}\nstderr: ${stderr}`)
    try {
      const response = await fetch(`${url}/healthz`)
      await response.arrayBuffer()
      if (response.status === 200) break
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(
        `/healthz did not answer 200 within the time allowed\nstdout: ${stdout}\nstderr: ${stderr}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { child, url, stdout: () => stdout, stderr: () => stderr, exited }
}
