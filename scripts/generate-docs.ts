// Regenerates the reference pages that are derived from code; test/docs.test.ts keeps them in step.
import { writeFileSync } from 'node:fs'
import { permissionsMarkdown } from '../src/authz/docs.js'
import { configurationMarkdown } from '../src/config/docs.js'

writeFileSync('docs/configuration.md', configurationMarkdown())
writeFileSync('docs/permissions.md', permissionsMarkdown())
