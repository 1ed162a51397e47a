import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { parse } from 'fast-querystring'
import { AppError } from '../errors/app-error.js'

/**
 * The query string, with a parameter repeated with the same value folded to that value: clients
 * that follow a nextLink and add their own parameters again (Microsoft's CLI does so with
 * api-version) are asked nothing twice. A parameter repeated with different values stays a list,
 * for the checks below to refuse. fast-querystring (Fastify's own parser) reads what node:querystring
 * reads, about five times faster: this runs on every request.
 */
export function parseQueryString(text: string): Record<string, unknown> {
  const parsed = parse(text) as Record<string, string | string[] | undefined>
  for (const name in parsed) {
    const value = parsed[name]
    if (!Array.isArray(value)) continue
    const distinct = [...new Set(value)]
    parsed[name] = distinct.length === 1 ? distinct[0] : distinct
  }
  return parsed
}

/**
 * 400 for any parameter given with different values, naming it and them. It runs after the
 * credential and api-version checks (a protected route's onRequest) and before the schema.
 */
export const repeatedParametersPlugin = fp(async (app: FastifyInstance) => {
  // A callback hook, not an async one: it runs on every request and needs no promise.
  app.addHook('preValidation', (request, _reply, done) => {
    const query = request.query as Record<string, unknown> | undefined
    for (const name in query) {
      const value = query[name]
      if (!Array.isArray(value)) continue
      const shown = value.map((v) => `"${String(v).slice(0, 100)}"`).join(', ')
      done(new AppError('BadRequest', `${name}: given more than once with different values (${shown}); give it once.`))
      return
    }
    done()
  })
})
