/**
 * A secret a command needs, kept off the command line when the caller wants: `-` as the flag's
 * value reads it from standard input (first line), no flag takes `fromEnv` (e.g.
 * AZURE_CLIENT_SECRET, as az and the Azure SDKs read it). A literal value still works but is
 * visible in the process list and the shell history. Standard input is read only when asked
 * for with `-`, so a script whose input stays open never hangs.
 */
export async function secretInput(flag: string | undefined, fromEnv: string | undefined): Promise<string | undefined> {
  if (flag === '-') {
    let text = ''
    for await (const chunk of process.stdin) text += String(chunk)
    const secret = text.split(/\r?\n/)[0] ?? ''
    if (secret === '') throw new Error('standard input held no secret')
    return secret
  }
  if (flag !== undefined) return flag
  return fromEnv === '' ? undefined : fromEnv
}
