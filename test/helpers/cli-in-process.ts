import { runCli } from '../../src/cli/main.js'

/** Runs the CLI in this process (no build needed), capturing what it prints line by line. */
export async function cliInProcess(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = []
  const stderr: string[] = []
  const code = await runCli(args, {}, { out: (line) => stdout.push(line), err: (line) => stderr.push(line) })
  return { code, stdout, stderr }
}
