import { unprocessable } from '../errors/app-error.js'

/** A body `id` is read-only: tolerated when it repeats the path's (clients send back what they read). */
export function checkBodyId(bodyId: string | undefined, pathId: string): void {
  if (bodyId !== undefined && bodyId !== pathId) {
    throw unprocessable(`id: is read-only and must be '${pathId}', the id in the path.`)
  }
}
