import { useCallback, useEffect, useState } from 'react'

/** Loads something at first, when `key` changes and on `reload()`, keeping the error to show. */
export function useLoad<T>(load: () => Promise<T>, key: unknown = null) {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<unknown>(null)
  const reload = useCallback(() => {
    load().then(
      (value) => {
        setData(value)
        setError(null)
      },
      (reason: unknown) => setError(reason),
    )
    // `load` is a new closure each render; `key` says when what it loads has changed.
  }, [key])
  useEffect(reload, [reload])
  return { data, error, reload }
}
