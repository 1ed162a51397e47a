import { generatePassword } from '../idp/passwords.js'

/**
 * The password for `idp user add` and `set-password`: `--password`, else standard input when it
 * is not a terminal (so it stays out of the shell history and the process list), else a generated
 * one, which the caller prints once.
 */
export async function passwordInput(
  flag: string | undefined,
): Promise<{ password: string; generated: boolean }> {
  if (flag !== undefined) return { password: flag, generated: false }
  if (!process.stdin.isTTY) {
    let text = ''
    for await (const chunk of process.stdin) text += String(chunk)
    const password = text.replace(/\r?\n$/, '')
    if (password !== '') return { password, generated: false }
  }
  return { password: generatePassword(), generated: true }
}
