import { useState } from 'react'

/** Runs a change (delete, import…), then reloads the page's data; keeps the error to show. */
export function useAction(reload: () => void) {
  const [actionError, setActionError] = useState<unknown>(null)
  const run = async (action: () => Promise<unknown>) => {
    try {
      await action()
      setActionError(null)
      reload()
    } catch (reason) {
      setActionError(reason)
    }
  }
  return { run, actionError }
}
