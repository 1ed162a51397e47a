import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

/** A fixture script under test/fixtures run by Node (through tsx) in a process of its own. */
export function runFixture(
  script: string,
  args: string[],
): ChildProcess & { output: () => string; errors: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('test', 'fixtures', script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  let errors = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString()
  })
  child.on('exit', (code) => {
    if (code !== 0 && code !== null && errors) process.stderr.write(`${script}: ${errors}\n`)
  })
  return Object.assign(child, { output: () => output, errors: () => errors })
}

/** Kills the child at once (no cleanup on its side) and waits for it to be gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await gone
}
