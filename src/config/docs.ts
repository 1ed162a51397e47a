import { CONFIG_SOURCES } from './schema.js'

/** The configuration reference, generated from the schema (docs/configuration.md). */
export function configurationMarkdown(): string {
  const rows = CONFIG_SOURCES.map(
    (s) =>
      `| \`--${s.flag}\` | \`${s.env}\` | ${s.default === undefined ? '—' : `\`${String(s.default)}\``} | ${s.description} |`,
  )
  return [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:generate`; do not edit by hand. -->',
    '',
    'Every setting can be given as a flag of `opencentral start` or as an environment variable; a flag wins over the variable, and the variable over the default. All values are validated together at start: a bad one is reported with its name and where it came from, and the server does not start (exit code 2).',
    '',
    '| Flag | Environment variable | Default | Meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n')
}
