import { useEffect, useState } from 'react'

/** The current path, kept in step with the address bar (no router library needed for a few pages). */
export function usePath(): [string, (path: string) => void] {
  const [path, setPath] = useState(location.pathname)
  useEffect(() => {
    const onPop = () => setPath(location.pathname)
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])
  const navigate = (next: string) => {
    history.pushState(null, '', next)
    setPath(next)
  }
  return [path, navigate]
}

/** Where a page is: its own path, what follows it (an item's id, or ''), and how to go elsewhere. */
export interface Route {
  base: string
  rest: string
  navigate: (path: string) => void
}

/** The path of an item's view under a page. */
export const itemPath = (route: Route, id: string) => `${route.base}/${encodeURIComponent(id)}`
