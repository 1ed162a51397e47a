import { CONFIG_SOURCES } from './schema.js'

/** The configuration reference, generated from the schema (docs/configuration.md). */
export function configurationMarkdown(): string {
  const rows = CONFIG_SOURCES.map(
    (s) =>
      `| \`--${s.flag}\` | \`${s.env}\` | \`${s.key}\` | ${s.default === undefined ? '—' : `\`${String(s.default)}\``} | ${s.description} |`,
  )
  return [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:generate`; do not edit by hand. -->',
    '',
    'Every setting can be given as a flag of `opencentral start`, as an environment variable, or in a configuration file; a flag wins over the variable, the variable over the file, and the file over the default. All values are validated together at start: a bad one is reported with its name and where it came from, and the server does not start (exit code 2).',
    '',
    '## Configuration file',
    '',
    'The file is `opencentral.json` in the current folder when it exists, or the file named by `--config <file>` or `OPENCENTRAL_CONFIG` (which must then exist). It holds one JSON object whose keys are the names in the Key column, with JSON types: numbers for numbers, `true`/`false` for switches, arrays of strings for repeatable settings (`{"port": 8443, "migrate": false, "audiences": ["api://x"]}`). Relative paths (`dataDir`, `tlsCert`, …) are read from the current folder, as flags are. Every command that opens a store reads the same file, so `dataDir` or `databaseUrl` there names the store for all of them. An unknown key, a value of the wrong type or out of range is refused, naming the file and the key. Secrets may be kept there (`databaseUrl` with a password, `secretKey`), but a file holding `secretKey` that its group or others can read is refused: `chmod 600` it.',
    '',
    '## Settings',
    '',
    '| Flag | Environment variable | Key | Default | Meaning |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n')
}
