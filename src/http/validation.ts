import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

const common: Options = { strict: false, useDefaults: true, removeAdditional: false, allErrors: false }

/**
 * Query strings, path parameters and headers are text, so they are converted to the schema's
 * types (`maxpagesize=10` → 10). Bodies are JSON and are taken exactly as sent: `null` stays
 * null (a merge-patch reset) and `"true"` is not a boolean.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const converting = addFormats(new Ajv({ ...common, coerceTypes: 'array' }))
  const exact = addFormats(new Ajv({ ...common, coerceTypes: false }))
  return ({ schema, httpPart }) =>
    (httpPart === 'body' ? exact : converting).compile(schema as object) as ReturnType<
      FastifySchemaCompiler<unknown>
    >
}
