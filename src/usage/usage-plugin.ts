import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { LastUsedRecorder } from './last-used-recorder.js'

/**
 * Tells the recorder who was served, once the answer has been sent (so it never delays one).
 * Only authenticated requests have a principal.
 */
export const usagePlugin = fp<{ recorder: LastUsedRecorder }>(async (app: FastifyInstance, { recorder }) => {
  app.addHook('onResponse', (request, _reply, done) => {
    const principal = request.principal
    if (principal !== null) recorder.seen(principal.type, principal.id, request.ip)
    done()
  })
})
