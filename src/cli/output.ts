/** Where a command writes: results to `out` (stdout), messages for people to `err` (stderr). */
export interface Output {
  out(line: string): void
  err(line: string): void
}

export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}

/** Writes nothing (a command run from code that wants only its result). */
export const quietOutput: Output = { out: () => {}, err: () => {} }

/** A mistake in how a command was called: reported with usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Prints rows as aligned columns. */
export function table(output: Output, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd()
  output.out(line(header))
  for (const row of rows) output.out(line(row))
}
