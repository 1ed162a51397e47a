import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { permissionsMarkdown } from '../src/authz/docs.js'
import { configurationMarkdown } from '../src/config/docs.js'

const generated = { 'docs/configuration.md': configurationMarkdown, 'docs/permissions.md': permissionsMarkdown }

for (const [file, render] of Object.entries(generated)) {
  it(`${file} is what the code generates`, () => {
    assert.equal(readFileSync(file, 'utf8'), render(), 'run `npm run docs:generate`')
  })
}
